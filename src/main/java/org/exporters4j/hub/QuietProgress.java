package org.exporters4j.hub;

/** Progress that reports nothing. */
enum QuietProgress implements DownloadProgress {
    INSTANCE;

    @Override
    public void started(String file, long totalBytes, long resumedAt) {
    }

    @Override
    public void advanced(long bytesOnDisk) {
    }

    @Override
    public void finished() {
    }
}
