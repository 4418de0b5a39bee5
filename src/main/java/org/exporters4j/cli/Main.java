package org.exporters4j.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.exporters4j.Exporters4jException;
import org.exporters4j.export.ExportInterruptedException;
import org.exporters4j.export.StopSignal;
import org.exporters4j.hub.HubSettings;
import picocli.CommandLine;

/**
 * The {@code exporters4j} command. Exit codes: 0 success, 2 usage error (one line on stderr: what was wrong and
 * where the help is; a malformed option value too, {@link OptionValues}), 1 any other error (one line on stderr: the
 * error's message, no stack trace), 130 or 143 when stopped by Ctrl-C or SIGTERM (one line: what the output folder
 * holds; see {@link StopSignals}). Everything printed is escaped for the terminal ({@link TerminalWriter}).
 */
public final class Main {
    /** The longest run without spaces printed whole: longer than any path or name a real message quotes. */
    static final int LONGEST_WORD = 400;
    private static final Pattern LONG_WORD = Pattern.compile("\\S{" + (LONGEST_WORD + 1) + ",}");

    private Main() {}

    public static void main(String[] args) {
        StopSignals.install();
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests call {@code execute} on it with their own out and err writers. */
    public static CommandLine commandLine() {
        return commandLine(HubSettings::fromSystem);
    }

    /**
     * As {@link #commandLine()}, with the Hub settings (endpoint, cache, token, offline mode) from {@code hub}
     * instead of the environment: tests point it at a local Hub.
     */
    public static CommandLine commandLine(Supplier<HubSettings> hub) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                return type == InspectCommand.class ? type.cast(new InspectCommand(hub)) : defaults.create(type);
            }
        };
        CommandLine commandLine = new CommandLine(new Exporters4jCommand(), factory);
        // everything printed goes through TerminalWriter, so exporters4j writes no escape sequence of its own either
        commandLine.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        commandLine.setOut(terminal(commandLine.getOut()));
        commandLine.setErr(terminal(commandLine.getErr()));
        commandLine.setParameterExceptionHandler((error, args) -> {
            CommandLine failed = error.getCommandLine();
            failed.getErr().println(oneLine(error.getMessage()) + " (see `exporters4j "
                    + qualifiedName(failed) + "--help`)");
            return failed.getCommandSpec().exitCodeOnInvalidInput();
        });
        commandLine.setExecutionExceptionHandler((error, failed, parseResult) -> {
            if (error instanceof ExportInterruptedException interrupted) {
                if (StopSignals.claimReport()) {
                    failed.getErr().println(oneLine(interrupted.getMessage()));
                }
                return interrupted.signal().exitCode();
            }
            Optional<StopSignal> stopping = StopSignals.raised();
            if (stopping.isPresent()) {
                return stopping.get().exitCode();
            }
            String message = error instanceof Exporters4jException
                    ? error.getMessage()
                    : "internal error: " + error + " (please report it with the command that caused it)";
            failed.getErr().println(oneLine(message));
            return failed.getCommandSpec().exitCodeOnExecutionException();
        });
        return commandLine;
    }

    private static String qualifiedName(CommandLine commandLine) {
        String name = commandLine.getCommandSpec().qualifiedName(" ");
        int space = name.indexOf(' ');
        return space < 0 ? "" : name.substring(space + 1) + " ";
    }

    /**
     * {@code target} behind a {@link TerminalWriter}: what Main installs as the command line's out and err, and what
     * tests that capture the output wrap their writers in.
     */
    static PrintWriter terminal(PrintWriter target) {
        return new PrintWriter(new TerminalWriter(target), true);
    }

    /**
     * A message as the one line printed: line breaks folded, every run without spaces longer than
     * {@link #LONGEST_WORD} characters (a 100,000-character model type or task name from the input, quoted back)
     * shortened to its start and end around the count of characters left out, characters a terminal acts on escaped.
     */
    static String oneLine(String message) {
        String folded = String.valueOf(message).replaceAll("\\s*\\R\\s*", " ").strip();
        return TerminalWriter.escape(LONG_WORD.matcher(folded).replaceAll(word -> Matcher.quoteReplacement(
                shortened(word.group()))));
    }

    private static String shortened(String word) {
        int head = 160;
        int tail = 40;
        return word.substring(0, head) + "…[" + (word.length() - head - tail) + " characters]…"
                + word.substring(word.length() - tail);
    }
}
