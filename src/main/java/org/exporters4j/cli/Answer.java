package org.exporters4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Objects;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A command's answer in its two forms, each built only when printed: JSON for {@code --json} (written as Python's
 * {@code json.dumps} would, {@link PythonJson}) and text for people.
 */
record Answer(Supplier<? extends JsonNode> json, Supplier<String> text) {
    Answer {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(text, "text");
    }

    /** Prints the JSON form when {@code asJson}, else the text, on the command's standard output; exit code 0. */
    int print(CommandSpec spec, boolean asJson) {
        PrintWriter out = spec.commandLine().getOut();
        out.println(asJson ? PythonJson.write(json.get()) : text.get());
        out.flush();
        return 0;
    }
}
