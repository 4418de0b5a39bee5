package org.exporters4j.hub;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where the Hub is, where its cache lives, which token to send and whether to go online: the settings
 * huggingface_hub reads from its environment variables, resolved the same way so that both tools share a cache.
 *
 * @param endpoint        the Hub's base URL without a trailing slash ({@code HF_ENDPOINT})
 * @param cacheDir        the hub cache root holding {@code models--org--name} folders
 * @param token           the access token sent as {@code Authorization: Bearer}, if any
 * @param network         {@code OFFLINE} when {@code HF_HUB_OFFLINE} is set
 * @param metadataTimeout how long to wait for model info and file metadata ({@code HF_HUB_ETAG_TIMEOUT})
 * @param metadataTimeout how long to wait to connect, for the answer to a metadata request (model info, file
 *                        metadata) to start, and for each next byte of its body ({@code HF_HUB_ETAG_TIMEOUT})
 * @param downloadTimeout how long to wait for a download to start answering, and for each next byte of it
 *                        ({@code HF_HUB_DOWNLOAD_TIMEOUT})
 * @param limits          the caps on sizes, total times and connections ({@link HubLimits})
 */
public record HubSettings(URI endpoint, Path cacheDir, Optional<String> token, NetworkMode network,
                          Duration metadataTimeout, Duration downloadTimeout, HubLimits limits) {
    /** The public Hub, as huggingface_hub's {@code _HF_DEFAULT_ENDPOINT}. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

    // as huggingface_hub constants.ENV_VARS_TRUE_VALUES
    private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");
    // as huggingface_hub DEFAULT_ETAG_TIMEOUT and DEFAULT_DOWNLOAD_TIMEOUT (seconds)
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public HubSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(metadataTimeout, "metadataTimeout");
        Objects.requireNonNull(downloadTimeout, "downloadTimeout");
        Objects.requireNonNull(limits, "limits");
        String scheme = endpoint.getScheme();
        if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || endpoint.getHost() == null) {
            throw new HubException(HubException.Kind.INVALID_ARGUMENT, "the Hub endpoint '" + Redaction.url(endpoint)
                    + "' is not an http(s) URL; set HF_ENDPOINT to e.g. " + DEFAULT_ENDPOINT + " or unset it");
        }
        String text = endpoint.toString();
        if (text.endsWith("/")) {
            endpoint = URI.create(text.replaceAll("/+$", ""));
        }
        cacheDir = cacheDir.toAbsolutePath().normalize();
        token.ifPresent(HubSettings::checkToken);
        if (metadataTimeout.isNegative() || metadataTimeout.isZero()
                || downloadTimeout.isNegative() || downloadTimeout.isZero()) {
            throw new HubException(HubException.Kind.INVALID_ARGUMENT, "Hub timeouts must be positive, got "
                    + metadataTimeout + " and " + downloadTimeout);
        }
    }

    /** Settings with the {@link HubLimits#DEFAULT default limits}. */
    public HubSettings(URI endpoint, Path cacheDir, Optional<String> token, NetworkMode network,
                       Duration metadataTimeout, Duration downloadTimeout) {
        this(endpoint, cacheDir, token, network, metadataTimeout, downloadTimeout, HubLimits.DEFAULT);
    }

    /** The settings from this process's environment and the user's home folder. */
    public static HubSettings fromSystem() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * The settings from an environment map, resolved as huggingface_hub's {@code constants} module does:
     * <ul>
     * <li>cache: {@code HF_HUB_CACHE}, else {@code HUGGINGFACE_HUB_CACHE}, else {@code $HF_HOME/hub}, where
     *     {@code HF_HOME} defaults to {@code $XDG_CACHE_HOME/huggingface}, else {@code ~/.cache/huggingface};</li>
     * <li>endpoint: {@code HF_ENDPOINT}, else https://huggingface.co;</li>
     * <li>token: {@code HF_TOKEN}, else {@code HUGGING_FACE_HUB_TOKEN}, else the file {@code HF_TOKEN_PATH}, else
     *     {@code $HF_HOME/token} (what {@code huggingface-cli login} writes);</li>
     * <li>offline: {@code HF_HUB_OFFLINE} (or the older {@code TRANSFORMERS_OFFLINE}) set to 1, ON, YES or TRUE;</li>
     * <li>timeouts: {@code HF_HUB_ETAG_TIMEOUT} and {@code HF_HUB_DOWNLOAD_TIMEOUT} in seconds (default 10);</li>
     * <li>limits: exporters4j's own {@code EXPORTERS4J_HUB_*} variables ({@link HubLimits}).</li>
     * </ul>
     *
     * @param environment the variables (tests pass their own map; nothing else reads the real environment)
     * @param home        the user's home folder, for {@code ~}
     */
    public static HubSettings fromEnvironment(Map<String, String> environment, Path home) {
        Map<String, String> env = Map.copyOf(environment);
        Path hfHome = firstSet(env, "HF_HOME")
                .map(value -> expandHome(value, home))
                .orElseGet(() -> firstSet(env, "XDG_CACHE_HOME").map(value -> expandHome(value, home))
                        .orElse(home.resolve(".cache")).resolve("huggingface"));
        Path cache = firstSet(env, "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE")
                .map(value -> expandHome(value, home))
                .orElse(hfHome.resolve("hub"));
        URI endpoint = firstSet(env, "HF_ENDPOINT").map(HubSettings::parseEndpoint).orElse(DEFAULT_ENDPOINT);
        Optional<String> token = firstSet(env, "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN").map(String::strip);
        if (token.isEmpty()) {
            Path tokenFile = firstSet(env, "HF_TOKEN_PATH").map(value -> expandHome(value, home))
                    .orElse(hfHome.resolve("token"));
            token = readTokenFile(tokenFile);
        }
        NetworkMode network = firstSet(env, "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
                .filter(value -> TRUE_VALUES.contains(value.strip().toUpperCase(Locale.ROOT)))
                .map(value -> NetworkMode.OFFLINE).orElse(NetworkMode.ONLINE);
        return new HubSettings(endpoint, cache, token, network,
                seconds(env, "HF_HUB_ETAG_TIMEOUT"), seconds(env, "HF_HUB_DOWNLOAD_TIMEOUT"),
                HubLimits.fromEnvironment(env));
    }

    /** These settings with another cache folder (the {@code --cache-dir} option). */
    public HubSettings withCacheDir(Path folder) {
        return new HubSettings(endpoint, folder, token, network, metadataTimeout, downloadTimeout, limits);
    }

    /** These settings with another access token. */
    public HubSettings withToken(String accessToken) {
        return new HubSettings(endpoint, cacheDir, Optional.of(accessToken), network, metadataTimeout,
                downloadTimeout, limits);
    }

    /** These settings with another network mode. */
    public HubSettings withNetwork(NetworkMode mode) {
        return new HubSettings(endpoint, cacheDir, token, mode, metadataTimeout, downloadTimeout, limits);
    }

    /** These settings with other timeouts (each must be positive). */
    public HubSettings withTimeouts(Duration metadata, Duration download) {
        return new HubSettings(endpoint, cacheDir, token, network, metadata, download, limits);
    }

    /** These settings with other limits. */
    public HubSettings withLimits(HubLimits caps) {
        return new HubSettings(endpoint, cacheDir, token, network, metadataTimeout, downloadTimeout, caps);
    }

    @Override
    public String toString() {
        // never print the token itself
        return "HubSettings[endpoint=" + Redaction.url(endpoint) + ", cacheDir=" + cacheDir + ", token="
                + (token.isPresent() ? "(set)" : "(none)") + ", network=" + network + "]";
    }

    private static Optional<String> firstSet(Map<String, String> env, String... names) {
        for (String name : names) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    private static Path expandHome(String value, Path home) {
        if (value.equals("~")) {
            return home;
        }
        if (value.startsWith("~/")) {
            return home.resolve(value.substring(2));
        }
        return Path.of(value);
    }

    private static URI parseEndpoint(String value) {
        try {
            return new URI(value.strip());
        } catch (URISyntaxException e) {
            throw new HubException(HubException.Kind.INVALID_ARGUMENT, "HF_ENDPOINT is not a URL: '"
                    + HubRequests.shown(value) + "' (" + e.getReason() + "); set it to e.g. " + DEFAULT_ENDPOINT
                    + " or unset it", e);
        }
    }

    private static Optional<String> readTokenFile(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new HubException(HubException.Kind.CACHE_IO, "cannot read the Hub token file " + file + ": "
                    + e.getMessage() + "; fix its permissions, or set HF_TOKEN instead", e);
        }
    }

    private static Duration seconds(Map<String, String> env, String name) {
        Optional<String> value = firstSet(env, name);
        if (value.isEmpty()) {
            return DEFAULT_TIMEOUT;
        }
        try {
            long seconds = Long.parseLong(value.get().strip());
            if (seconds > 0) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new HubException(HubException.Kind.INVALID_ARGUMENT, name + " must be a positive number of seconds, "
                + "got '" + value.get() + "'; fix or unset it");
    }

    private static void checkToken(String token) {
        if (token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new HubException(HubException.Kind.INVALID_ARGUMENT, "the Hub token (HF_TOKEN or the token file) "
                    + "is empty or contains spaces or non-ASCII characters; copy it again from "
                    + "https://huggingface.co/settings/tokens");
        }
    }
}
