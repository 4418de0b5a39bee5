package org.exporters4j.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TerminalProgressBarTest {
    @Test
    void largeFilesShowABarSmallFilesNothing() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DownloadProgress bar = DownloadProgress.bar(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        bar.started("config.json", 1_000, 0);
        bar.advanced(1_000);
        bar.finished();
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));

        bar.started("model.safetensors", 20_000_000, 5_000_000);
        bar.finished();
        String shown = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(shown.startsWith("\rmodel.safetensors  25%|"), shown);
        assertTrue(shown.contains("5.00MB/20.00MB"), shown);
        assertTrue(shown.endsWith(System.lineSeparator()), shown);
    }

    @Test
    void resolveUrlsQuoteRevisionsAndFileNames() {
        HubSettings settings = new HubSettings(java.net.URI.create("https://hub.example/"), java.nio.file.Path.of("c"),
                java.util.Optional.empty(), NetworkMode.ONLINE, java.time.Duration.ofSeconds(1),
                java.time.Duration.ofSeconds(1));
        try (HubRequests requests = new HubRequests(settings, RetryPolicy.DEFAULT)) {
            assertEquals("https://hub.example/org/m/resolve/refs%2Fpr%2F1/sub/my%20file%C3%A9.json",
                    requests.resolveUrl(RepoId.of("org/m"), Revision.of("refs/pr/1"),
                            new RepoFilePath("sub/my fileé.json")).toString());
        }
    }
}
