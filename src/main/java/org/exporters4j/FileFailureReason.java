package org.exporters4j;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;

/** Why a file operation failed, as a message shows it: the operating system's reason, never a Java class name. */
public final class FileFailureReason {
    private FileFailureReason() {}

    /** {@code "not a directory"}, {@code "no such file or folder"}, ...; the exception's message when it has no reason. */
    public static String of(IOException e) {
        if (e instanceof FileSystemException fileSystem && fileSystem.getReason() != null) {
            return fileSystem.getReason().toLowerCase(Locale.ROOT);
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
