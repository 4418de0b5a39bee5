package org.exporters4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.exporters4j.tasks.TasksManager;
import org.junit.jupiter.api.Test;

/** README's families tables name every model type the task registry supports, so a new row cannot go unlisted. */
class ReadmeModelTypesTest {
    @Test
    void everySupportedModelTypeIsInAFamiliesTable() throws IOException {
        List<String> tableRows = Files.readAllLines(Path.of("README.md")).stream()
                .filter(line -> line.startsWith("| ")).toList();
        List<String> missing = new ArrayList<>();
        for (String modelType : TasksManager.getSupportedModelTypes("onnx")) {
            // the type as a whole name: "gpt2" must not be found inside "gpt2-xl", nor "opt" inside "optimum"
            Pattern name = Pattern.compile("(?<![\\w-])" + Pattern.quote(modelType) + "(?![\\w-])");
            if (tableRows.stream().noneMatch(row -> name.matcher(row.split("\\|")[2]).find())) {
                missing.add(modelType);
            }
        }
        assertEquals(List.of(), missing, "model types missing from the second column of README's families tables");
    }
}
