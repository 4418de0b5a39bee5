package org.exporters4j.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Who owns a staging folder, written into it as {@value #FILE_NAME} when it is created: the host, the process id and
 * the process's start time, and the phase (writing, or publishing into an existing output folder). A later export
 * removes a staging folder only when this record proves its process gone ({@link #provablyDead()}); a folder
 * without a readable record, of another host, of a live process, or caught while publishing (it then holds the
 * previous export's files) is never touched.
 *
 * @param host the host name, empty when unknown (such a record proves nothing)
 * @param pid the process id
 * @param start the process's start time, when the operating system reports it (it tells a reused process id apart)
 * @param phase what the process was doing
 */
record StagingOwner(String host, long pid, Optional<Instant> start, Phase phase) {
    static final String FILE_NAME = ".exporters4j-owner";
    private static final int MAX_RECORD_BYTES = 4096;

    enum Phase {
        /** Writing and validating the export: the staging folder holds only new files. */
        WRITING,
        /** Renaming files into an existing output folder: the staging folder may hold the previous export's files. */
        PUBLISHING
    }

    StagingOwner {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(phase, "phase");
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive, got " + pid);
        }
    }

    /** This process, in {@code phase}. */
    static StagingOwner current(Phase phase) {
        ProcessHandle self = ProcessHandle.current();
        return new StagingOwner(localHost(), self.pid(), self.info().startInstant(), phase);
    }

    /**
     * The host name from the kernel (Linux) or the environment, without a DNS lookup; empty when neither says
     * (then no record is ever judged dead).
     */
    static String localHost() {
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isRegularFile(kernel)) {
                return Files.readString(kernel, StandardCharsets.UTF_8).strip();
            }
        } catch (IOException | RuntimeException e) {
            // fall back to the environment
        }
        for (String variable : new String[] {"HOSTNAME", "COMPUTERNAME"}) {
            String value = System.getenv(variable);
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        return "";
    }

    /**
     * True only when this record's process cannot be running: same host (known), and no process has its id, or the
     * one that has it started at another time.
     */
    boolean provablyDead() {
        if (phase != Phase.WRITING || host.isEmpty() || !host.equals(localHost())) {
            return false;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty()) {
            return true;
        }
        Optional<Instant> started = process.get().info().startInstant();
        return start.isPresent() && started.isPresent() && !started.get().equals(start.get());
    }

    /** Writes the record into {@code staging}, through a temporary name so a reader never sees half of it. */
    void writeInto(Path staging) throws IOException {
        String text = "exporters4j staging folder\nhost=" + host + "\npid=" + pid + "\nstart="
                + start.map(Instant::toString).orElse("") + "\nphase=" + phase.name().toLowerCase(Locale.ROOT) + "\n";
        Path temporary = staging.resolve(FILE_NAME + ".tmp");
        Files.writeString(temporary, text, StandardCharsets.UTF_8);
        Files.move(temporary, staging.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** The record in {@code staging}; empty when missing, not a regular file, oversized or malformed. */
    static Optional<StagingOwner> readFrom(Path staging) {
        Path file = staging.resolve(FILE_NAME);
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > MAX_RECORD_BYTES) {
                return Optional.empty();
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int equals = line.indexOf('=');
                if (equals > 0) {
                    fields.put(line.substring(0, equals), line.substring(equals + 1));
                }
            }
            String start = fields.get("start");
            String phase = fields.get("phase");
            if (fields.get("host") == null || fields.get("pid") == null || start == null || phase == null) {
                return Optional.empty();
            }
            return Optional.of(new StagingOwner(fields.get("host"), Long.parseLong(fields.get("pid")),
                    start.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(start)),
                    Phase.valueOf(phase.toUpperCase(Locale.ROOT))));
        } catch (IOException | DateTimeParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
