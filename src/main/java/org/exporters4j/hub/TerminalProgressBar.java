package org.exporters4j.hub;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar redrawn with carriage returns, like huggingface_hub's tqdm bar: file name, percentage,
 * bytes and rate. Small files (under {@link #MIN_BYTES}) show nothing; redraws are throttled.
 */
final class TerminalProgressBar implements DownloadProgress {
    /** Files smaller than this download without a bar: 10 MiB, huggingface_hub's DOWNLOAD_CHUNK_SIZE. */
    static final long MIN_BYTES = 10L * 1024 * 1024;
    private static final long REDRAW_NANOS = 200_000_000L;
    private static final int WIDTH = 30;

    private final PrintStream out;
    private String file;
    private long total;
    private long resumedAt;
    private long startNanos;
    private long lastDrawNanos;
    private boolean visible;

    TerminalProgressBar(PrintStream out) {
        this.out = out;
    }

    @Override
    public void started(String file, long totalBytes, long resumedAt) {
        String shown = Redaction.text(file); // the progress line hides what error messages hide
        this.file = shown.length() > 40 ? "(…)" + shown.substring(shown.length() - 40) : shown;
        this.total = totalBytes;
        this.resumedAt = resumedAt;
        this.startNanos = System.nanoTime();
        this.lastDrawNanos = 0;
        this.visible = totalBytes >= MIN_BYTES;
        if (visible) {
            draw(resumedAt);
        }
    }

    @Override
    public void advanced(long bytesOnDisk) {
        long now = System.nanoTime();
        if (visible && now - lastDrawNanos >= REDRAW_NANOS) {
            draw(bytesOnDisk);
        }
    }

    @Override
    public void finished() {
        if (visible) {
            out.println();
            out.flush();
            visible = false;
        }
    }

    private void draw(long done) {
        lastDrawNanos = System.nanoTime();
        double fraction = total > 0 ? Math.min(1.0, (double) done / total) : 0;
        int filled = (int) Math.round(fraction * WIDTH);
        double seconds = Math.max(1e-3, (lastDrawNanos - startNanos) / 1e9);
        double rate = (done - resumedAt) / seconds;
        out.print(String.format(Locale.ROOT, "\r%s %3d%%|%s%s| %s/%s [%s/s]", file, Math.round(fraction * 100),
                "█".repeat(filled), " ".repeat(WIDTH - filled), human(done), human(total), human((long) rate)));
        out.flush();
    }

    private static String human(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, unit == 0 ? "%.0f%s" : "%.2f%s", value, units[unit]);
    }
}
