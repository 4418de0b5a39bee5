package org.exporters4j.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code exporters4j export}: the export backends; only subcommands do work ({@code onnx}). */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a Transformers checkpoint (see `exporters4j export onnx --help`).",
        subcommands = {ExportOnnxCommand.class})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing export backend: use `export onnx`");
    }
}
