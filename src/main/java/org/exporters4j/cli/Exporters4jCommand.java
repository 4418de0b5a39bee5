package org.exporters4j.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The top-level command: only subcommands do work. */
@Command(name = "exporters4j", mixinStandardHelpOptions = true, version = "exporters4j 0.1.0",
        description = "Hugging Face Transformers checkpoints to ONNX, natively on the JVM (Optimum v1.5.2's interface).",
        subcommands = {TasksCommand.class, ConfigCommand.class, InspectCommand.class, ExportCommand.class})
final class Exporters4jCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing command: use tasks, config, inspect or export");
    }
}
