package org.exporters4j.export;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * A child JVM for the stop tests: runs the CLI's {@code main} with {@code args[2..]} and prints {@code READY} on
 * stdout once the export reaches the moment {@code args[0]} names, so the test sends its signal there:
 * {@code validation} (ONNX Runtime validation under way) or {@code staging} (a staging folder exists in, or beside,
 * the output folder {@code args[1]}).
 */
public final class StopSignalChild {
    private StopSignalChild() {}

    public static void main(String[] args) throws Exception {
        String moment = args[0];
        Path output = Path.of(args[1]);
        Thread watcher = new Thread(() -> {
            while (!reached(moment, output)) {
                Thread.onSpinWait();
            }
            System.out.println("READY");
            System.out.flush();
        }, "stop-signal-watcher");
        watcher.setDaemon(true);
        watcher.start();
        org.exporters4j.cli.Main.main(Arrays.copyOfRange(args, 2, args.length));
    }

    private static boolean reached(String moment, Path output) {
        if (moment.equals("validation")) {
            return ExportStop.JVM.stepsUnderWay().contains(ExportStop.Step.VALIDATION);
        }
        return hasStaging(output) || hasStaging(output.getParent());
    }

    private static boolean hasStaging(Path folder) {
        if (!Files.isDirectory(folder)) {
            return false;
        }
        try (Stream<Path> children = Files.list(folder)) {
            return children.anyMatch(child -> child.getFileName().toString().contains(".partial-"));
        } catch (Exception e) {
            return false;
        }
    }
}
