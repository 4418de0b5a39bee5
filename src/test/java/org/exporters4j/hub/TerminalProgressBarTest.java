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
    void theProgressLineHidesTokenShapedNames() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DownloadProgress bar = DownloadProgress.bar(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        bar.started("hf_AbCdEfGhIjKlMnOp.bin", 20_000_000, 0);
        bar.finished();
        String shown = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(shown.startsWith("\rhf_***.bin   0%|"), shown);
    }
}
