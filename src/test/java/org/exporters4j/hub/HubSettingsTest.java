package org.exporters4j.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment variables huggingface_hub reads, resolved from an injected map. */
class HubSettingsTest {
    @TempDir
    Path home;

    @Test
    void defaultsFollowHuggingfaceHub() {
        HubSettings settings = HubSettings.fromEnvironment(Map.of(), home);
        assertEquals(URI.create("https://huggingface.co"), settings.endpoint());
        assertEquals(home.resolve(".cache/huggingface/hub"), settings.cacheDir());
        assertEquals(Optional.empty(), settings.token());
        assertEquals(NetworkMode.ONLINE, settings.network());
        assertEquals(Duration.ofSeconds(10), settings.metadataTimeout());
        assertEquals(Duration.ofSeconds(10), settings.downloadTimeout());
    }

    @Test
    void theCacheFolderIsResolvedInHuggingfaceHubsOrder() {
        Path xdg = home.resolve("xdg");
        assertEquals(xdg.resolve("huggingface/hub"),
                HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", xdg.toString()), home).cacheDir());
        assertEquals(home.resolve("hf/hub"), HubSettings.fromEnvironment(Map.of(
                "XDG_CACHE_HOME", xdg.toString(), "HF_HOME", "~/hf"), home).cacheDir());
        assertEquals(home.resolve("legacy"), HubSettings.fromEnvironment(Map.of(
                "HF_HOME", "~/hf", "HUGGINGFACE_HUB_CACHE", home.resolve("legacy").toString()), home).cacheDir());
        assertEquals(home.resolve("new"), HubSettings.fromEnvironment(Map.of(
                "HF_HOME", "~/hf", "HUGGINGFACE_HUB_CACHE", "~/legacy", "HF_HUB_CACHE", "~/new"), home).cacheDir());
        assertEquals(home.resolve("cli"), HubSettings.fromEnvironment(Map.of("HF_HUB_CACHE", "~/new"), home)
                .withCacheDir(home.resolve("cli")).cacheDir());
    }

    @Test
    void endpointComesFromHfEndpointWithoutTrailingSlash() {
        HubSettings settings = HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "https://hf-mirror.com/"), home);
        assertEquals(URI.create("https://hf-mirror.com"), settings.endpoint());
        HubException e = assertThrows(HubException.class,
                () -> HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "ftp://example.org"), home));
        assertTrue(e.getMessage().contains("set HF_ENDPOINT"), e.getMessage());
    }

    @Test
    void tokenFromTheEnvironmentThenTheTokenFile() throws IOException {
        assertEquals(Optional.of("hf_env"), HubSettings.fromEnvironment(Map.of("HF_TOKEN", " hf_env\n"), home)
                .token());
        assertEquals(Optional.of("hf_legacy"), HubSettings.fromEnvironment(Map.of(
                "HUGGING_FACE_HUB_TOKEN", "hf_legacy"), home).token());
        Files.createDirectories(home.resolve(".cache/huggingface"));
        Files.writeString(home.resolve(".cache/huggingface/token"), "hf_saved\n");
        assertEquals(Optional.of("hf_saved"), HubSettings.fromEnvironment(Map.of(), home).token());
        assertEquals(Optional.of("hf_env"), HubSettings.fromEnvironment(Map.of("HF_TOKEN", "hf_env"), home)
                .token());
        Files.writeString(home.resolve("elsewhere"), "hf_path");
        assertEquals(Optional.of("hf_path"), HubSettings.fromEnvironment(Map.of(
                "HF_TOKEN_PATH", home.resolve("elsewhere").toString()), home).token());
        HubException bad = assertThrows(HubException.class,
                () -> HubSettings.fromEnvironment(Map.of("HF_TOKEN", "hf with space"), home));
        assertFalse(bad.getMessage().contains("hf with space"), "the token must not be echoed");
        assertFalse(HubSettings.fromEnvironment(Map.of("HF_TOKEN", "hf_env"), home).toString().contains("hf_env"));
    }

    @Test
    void offlineModeAcceptsHuggingfaceHubsTrueValues() {
        for (String yes : new String[] {"1", "ON", "yes", "True"}) {
            assertEquals(NetworkMode.OFFLINE, HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", yes), home)
                    .network(), yes);
        }
        for (String no : new String[] {"0", "off", "false", ""}) {
            assertEquals(NetworkMode.ONLINE, HubSettings.fromEnvironment(Map.of("HF_HUB_OFFLINE", no), home)
                    .network(), no);
        }
        assertEquals(NetworkMode.OFFLINE, HubSettings.fromEnvironment(Map.of("TRANSFORMERS_OFFLINE", "1"), home)
                .network());
    }

    @Test
    void timeoutsInSeconds() {
        HubSettings settings = HubSettings.fromEnvironment(Map.of("HF_HUB_ETAG_TIMEOUT", "3",
                "HF_HUB_DOWNLOAD_TIMEOUT", "60"), home);
        assertEquals(Duration.ofSeconds(3), settings.metadataTimeout());
        assertEquals(Duration.ofSeconds(60), settings.downloadTimeout());
        HubException e = assertThrows(HubException.class,
                () -> HubSettings.fromEnvironment(Map.of("HF_HUB_ETAG_TIMEOUT", "soon"), home));
        assertTrue(e.getMessage().startsWith("HF_HUB_ETAG_TIMEOUT must be a positive number of seconds, got 'soon'"),
                e.getMessage());
    }

    @Test
    void limitsHaveDefaultsAndComeFromTheEnvironment() {
        HubLimits defaults = HubSettings.fromEnvironment(Map.of(), home).limits();
        assertEquals(HubLimits.DEFAULT, defaults);
        assertEquals(64L << 20, defaults.metadataMaxBytes());
        assertEquals(Duration.ofMinutes(2), defaults.metadataDeadline());
        assertEquals(Duration.ofHours(6), defaults.fileDeadline());
        assertEquals(100, defaults.fileMaxConnections());
        HubLimits set = HubSettings.fromEnvironment(Map.of("EXPORTERS4J_HUB_METADATA_MAX_BYTES", "1000",
                "EXPORTERS4J_HUB_METADATA_DEADLINE", "7", "EXPORTERS4J_HUB_FILE_DEADLINE", "60",
                "EXPORTERS4J_HUB_FILE_MAX_CONNECTIONS", "3"), home).limits();
        assertEquals(new HubLimits(1000, Duration.ofSeconds(7), Duration.ofSeconds(60), 3), set);
        assertEquals(set, HubSettings.fromEnvironment(Map.of(), home).withLimits(set).withCacheDir(home)
                .withToken("hf_x").withNetwork(NetworkMode.OFFLINE).limits(), "every copy keeps the limits");
        HubException e = assertThrows(HubException.class, () -> HubSettings.fromEnvironment(Map.of(
                "EXPORTERS4J_HUB_FILE_MAX_CONNECTIONS", "99999999999"), home));
        assertEquals("EXPORTERS4J_HUB_FILE_MAX_CONNECTIONS must be a positive number of connections up to "
                + Integer.MAX_VALUE + ", got '99999999999'; fix or unset it (default 100)", e.getMessage());
        HubException zero = assertThrows(HubException.class, () -> HubSettings.fromEnvironment(Map.of(
                "EXPORTERS4J_HUB_FILE_DEADLINE", "0"), home));
        assertTrue(zero.getMessage().startsWith("EXPORTERS4J_HUB_FILE_DEADLINE must be a positive number of "
                + "seconds, got '0'"), zero.getMessage());
    }

    @Test
    void endpointCredentialsAreNeverEchoed() {
        HubException scheme = assertThrows(HubException.class, () -> HubSettings.fromEnvironment(Map.of(
                "HF_ENDPOINT", "ftp://me:pa55word@example.org"), home));
        assertEquals("the Hub endpoint 'ftp://***@example.org' is not an http(s) URL; set HF_ENDPOINT to e.g. "
                + "https://huggingface.co or unset it", scheme.getMessage());
        HubException malformed = assertThrows(HubException.class, () -> HubSettings.fromEnvironment(Map.of(
                "HF_ENDPOINT", "http://me:pa55word@exa mple.org"), home));
        assertFalse(malformed.getMessage().contains("pa55word"), malformed.getMessage());
        assertFalse(HubSettings.fromEnvironment(Map.of("HF_ENDPOINT", "https://me:pa55word@hub.example"), home)
                .toString().contains("pa55word"));
    }
}
