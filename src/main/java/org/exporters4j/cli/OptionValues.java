package org.exporters4j.cli;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.exporters4j.export.ExportRequest;
import org.exporters4j.hub.HubException;
import org.exporters4j.hub.Revision;
import org.exporters4j.tasks.Exporter;
import org.exporters4j.models.ModelForm;
import org.exporters4j.tasks.Framework;
import org.exporters4j.tasks.TaskNames;
import org.exporters4j.tasks.TasksManager;
import org.exporters4j.tasks.UnknownExporterException;
import org.exporters4j.tasks.UnknownFrameworkException;
import org.exporters4j.tasks.UnknownModelTypeException;
import org.exporters4j.tasks.UnknownTaskException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values checked by the library's own parsers while picocli parses the command line, whichever command takes
 * the option: a value the parser refuses is a usage error like any malformed option value (exit 2, one line:
 * "Invalid value for option '--task': " and the parser's message), never an execution error (exit 1). Each converter
 * hands the value on as given, since the library calls take it that way. Only option values are checked here; the
 * same names read from a checkpoint (its config's model type) stay data, and their errors exit 1.
 */
final class OptionValues {
    private OptionValues() {}

    /** {@code --task} of {@code config} and {@code tasks}: a task name or one of today's synonyms. */
    static final class TaskName extends Parsed {
        TaskName() {
            super(UnknownTaskException.class, value -> TaskNames.parse(requireNotBlank(value)));
        }
    }

    /** {@code --task} of {@code export onnx} and {@code inspect}: a task name, or {@code auto} to infer it. */
    static final class TaskNameOrAuto implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            return value.equals(ExportRequest.AUTO_TASK) ? value : new TaskName().convert(value);
        }
    }

    /** {@code --model-type}: a model type some exporter supports, in any spelling. */
    static final class ModelType extends Parsed {
        ModelType() {
            super(UnknownModelTypeException.class, value -> {
                try {
                    TasksManager.getSupportedTasksForModelType(requireNotBlank(value), Exporter.ONNX.id());
                } catch (UnknownExporterException e) {
                    // a known type without this exporter: the command's own call words that
                }
            });
        }
    }

    /** {@code --exporter}: onnx. */
    static final class ExporterName extends Parsed {
        ExporterName() {
            super(UnknownExporterException.class, Exporter::parse);
        }
    }

    /** {@code --framework}: pt or tf. */
    static final class FrameworkName extends Parsed {
        FrameworkName() {
            super(UnknownFrameworkException.class, Framework::parse);
        }
    }

    /**
     * {@code --dtype}: fp32, fp16 or bf16 (Optimum's spellings), or float32, float16, bfloat16; a usage error lists
     * the choices.
     */
    static final class DtypeName implements ITypeConverter<ModelForm.Precision> {
        @Override
        public ModelForm.Precision convert(String value) {
            return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "fp32", "float32" -> ModelForm.Precision.FLOAT32;
                case "fp16", "float16" -> ModelForm.Precision.FLOAT16;
                case "bf16", "bfloat16" -> ModelForm.Precision.BFLOAT16;
                default -> throw new TypeConversionException("'" + value + "' is not a dtype; choose fp32 (the "
                        + "default) or fp16 (bf16 is refused: ONNX Runtime's CPU provider cannot run it)");
            };
        }
    }

    /** {@code --revision}: a branch, tag or commit as the Hub cache can name it. */
    static final class RevisionName extends Parsed {
        RevisionName() {
            super(HubException.class, value -> Revision.of(requireNotBlank(value)));
        }
    }

    /** {@code --cache-dir}: a folder, or a path where one can be created; never an existing file. */
    static final class CacheFolder implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            requireNotBlank(value);
            Path folder;
            try {
                folder = Path.of(value);
            } catch (InvalidPathException e) {
                throw new TypeConversionException("'" + value + "' is not a path (" + e.getReason() + ")");
            }
            if (Files.exists(folder) && !Files.isDirectory(folder)) {
                throw new TypeConversionException(folder + " is a file, not a folder; --cache-dir names the Hugging"
                        + " Face Hub cache folder (created when missing)");
            }
            return folder;
        }
    }

    /**
     * A converter that hands the value on as given once the library's {@code parser} accepts it; the {@code refusal}
     * the parser throws is a usage error with its message (any other exception is not about the value and goes on).
     */
    private abstract static class Parsed implements ITypeConverter<String> {
        private final Class<? extends RuntimeException> refusal;
        private final Consumer<String> parser;

        Parsed(Class<? extends RuntimeException> refusal, Consumer<String> parser) {
            this.refusal = refusal;
            this.parser = parser;
        }

        @Override
        public String convert(String value) {
            try {
                parser.accept(value);
            } catch (RuntimeException e) {
                if (refusal.isInstance(e)) {
                    throw new TypeConversionException(e.getMessage());
                }
                throw e;
            }
            return value;
        }
    }

    private static String requireNotBlank(String value) {
        if (value.isBlank()) {
            throw new TypeConversionException("it must not be empty");
        }
        return value;
    }
}
