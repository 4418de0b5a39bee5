package org.exporters4j.export;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Everything the validation of an exported model checked, run by run and output by output, as Optimum v1.5.2's
 * {@code validate_model_outputs} collects every shape and value failure before it reports (here nothing stops at
 * the first failure either).
 *
 * @param modelFile the model that was run
 * @param checks one entry per (input set, output), in run order then graph output order
 */
public record ValidationReport(String modelFile, List<OutputCheck> checks) {

    /** The verdict on one output of one run. */
    public enum Verdict {
        PASSED,
        /** The graph did not produce this output (or produced one it should not). */
        MISSING_OUTPUT,
        /** The output's shape differs from the one the inputs and the model's declared shape imply. */
        SHAPE_MISMATCH,
        /** The graph's input or output names, order or dynamic axes differ from the export configuration's. */
        INTERFACE_MISMATCH,
        /** The output holds NaN or an infinity. */
        NOT_FINITE,
        /** The output differs from the reference by more than the tolerance. */
        VALUE_MISMATCH
    }

    /** What a check looked at. */
    public enum Kind {
        /** The graph's declared names, order or dynamic axes. */
        INTERFACE,
        /** One output of one run: presence, shape, finiteness. */
        RUN,
        /** One output's values against reference values. */
        COMPARISON,
        /**
         * One output against the same output of the export's float32 graph, built in the same process and run on
         * the same inputs ({@code --dtype fp16}): max abs diff against the tolerance (the atol times the output's
         * scale), with the cosine of the two outputs and that scale in {@code actual}.
         */
        REFERENCE,
        /**
         * One output of a quantized export against the float32 graph's: cosine, largest absolute difference and,
         * for language-model logits, top-1 agreement, held to an {@link AgreementTolerance}.
         */
        AGREEMENT
    }

    /**
     * One check.
     *
     * @param kind what was checked
     * @param inputs the subject: the input set of a run ({@code "batch_size=2, sequence_length=16"}), the
     *     comparison made, or the interface part ({@code "graph inputs"})
     * @param output the graph output (or input) name(s) checked
     * @param expected what was expected: a shape, names, axes
     * @param actual what the model gave ({@code "-"} when an output is missing)
     * @param maxAbsDiff the largest absolute difference to the reference; NaN when no values were compared
     * @param tolerance the absolute tolerance values are held to
     * @param verdict the outcome
     */
    public record OutputCheck(Kind kind, String inputs, String output, String expected, String actual,
                              double maxAbsDiff, double tolerance, Verdict verdict) {
        public OutputCheck {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(inputs, "inputs");
            Objects.requireNonNull(output, "output");
            Objects.requireNonNull(expected, "expected");
            Objects.requireNonNull(actual, "actual");
            Objects.requireNonNull(verdict, "verdict");
            if (!(tolerance >= 0)) {
                throw new IllegalArgumentException("tolerance must be 0 or more, got " + tolerance);
            }
        }

        public boolean passed() {
            return verdict == Verdict.PASSED;
        }

        /** This check in a report of several files: its subject led by {@code fileName}. */
        OutputCheck inFile(String fileName) {
            return new OutputCheck(kind, fileName + " " + inputs, output, expected, actual, maxAbsDiff, tolerance,
                    verdict);
        }

        /** One line, e.g. {@code [ok] logits (batch_size=2, sequence_length=16): [2, 3]}. */
        public String describe() {
            StringBuilder line = new StringBuilder(passed() ? "[ok] " : "[x] ");
            switch (kind) {
                case INTERFACE -> line.append(inputs).append(' ').append(output).append(": ").append(actual);
                case RUN -> line.append(output).append(" (").append(inputs).append("): ").append(actual);
                case COMPARISON -> line.append(output).append(" (").append(inputs).append("): ")
                        .append(String.format(Locale.ROOT, "max abs diff %.3g (atol %.3g)", maxAbsDiff, tolerance));
                case REFERENCE -> line.append(output).append(" (").append(inputs).append("): ")
                        .append(String.format(Locale.ROOT, "max abs diff %.3g (tolerance %.3g), %s", maxAbsDiff,
                                tolerance, actual));
                case AGREEMENT -> line.append(output).append(" (").append(inputs).append("): ").append(actual)
                        .append(String.format(Locale.ROOT, ", max abs diff %.3g", maxAbsDiff));
            }
            if (!passed()) {
                line.append(" — ").append(verdict.name().toLowerCase(Locale.ROOT).replace('_', ' '));
                if (!actual.equals(expected)) {
                    line.append(", expected ").append(expected);
                }
            }
            return line.toString();
        }
    }

    public ValidationReport {
        Objects.requireNonNull(modelFile, "modelFile");
        checks = List.copyOf(checks);
    }

    /** True when every check passed (and there was at least one). */
    public boolean passed() {
        return !checks.isEmpty() && checks.stream().allMatch(OutputCheck::passed);
    }

    /** The checks that failed, in order. */
    public List<OutputCheck> mismatches() {
        return checks.stream().filter(check -> !check.passed()).toList();
    }

    /** A multi-line report: one line per check, then the verdict. */
    public String format() {
        String lines = checks.stream().map(OutputCheck::describe).collect(Collectors.joining("\n"));
        List<OutputCheck> failed = mismatches();
        String verdict = failed.isEmpty()
                ? "validation passed: " + checks.size() + " checks of " + modelFile
                : "validation failed: " + failed.size() + " of " + checks.size() + " checks of " + modelFile;
        return lines.isEmpty() ? verdict : lines + "\n" + verdict;
    }
}
