package org.exporters4j.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command that only groups subcommands: called without one, it is a usage error (exit code 2) whose message says
 * which subcommands there are.
 */
abstract class CommandGroup implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** The usage error's message, e.g. {@code "Missing command: use tasks, …"}. */
    abstract String missingSubcommand();

    @Override
    public final Integer call() {
        throw new ParameterException(spec.commandLine(), missingSubcommand());
    }
}
