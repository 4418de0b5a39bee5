package org.exporters4j.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;

/**
 * The state-dict names an architecture class loads, for checking a checkpoint before it is exported: what
 * Transformers' {@code from_pretrained} reports as missing keys (needed, absent) and unexpected keys (present, not
 * used).
 *
 * <p>Where the lists come from is the seam {@link #of(ModelConfig, String)}: the graph families of package
 * {@code models} know the tensor names each head reads, and declare them there as they are written. Until a
 * family declares its names, an architecture has no expectation and only the checks every checkpoint gets apply
 * (the weights exist, hold tensors and their headers are valid); the family then reports a missing tensor itself
 * when it builds the graph.
 *
 * @param required the names the architecture needs
 * @param optional names it accepts without needing them (buffers such as {@code position_ids}, tied copies)
 */
public record ExpectedTensors(Set<String> required, Set<String> optional) {
    private static final int NAMES_SHOWN = 8;

    public ExpectedTensors {
        required = Set.copyOf(required);
        optional = Set.copyOf(optional);
    }

    /**
     * The tensors {@code architecture} loads for this config; empty when no graph family declares them yet (see the
     * class comment).
     */
    public static Optional<ExpectedTensors> of(ModelConfig config, String architecture) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(architecture, "architecture");
        return Optional.empty();
    }

    /**
     * Checks that {@code weights} hold every required tensor and nothing unknown.
     *
     * @param architecture names the class in the message, e.g. {@code BertForMaskedLM}
     * @throws WeightsMismatchException listing the missing and the unexpected names
     */
    public void check(Weights weights, String architecture) {
        SortedSet<String> missing = new TreeSet<>(required);
        missing.removeAll(weights.names());
        SortedSet<String> unexpected = new TreeSet<>(weights.names());
        unexpected.removeAll(required);
        unexpected.removeAll(optional);
        if (missing.isEmpty() && unexpected.isEmpty()) {
            return;
        }
        List<String> problems = new ArrayList<>();
        if (!missing.isEmpty()) {
            problems.add(missing.size() + " missing tensor" + (missing.size() == 1 ? "" : "s") + " (" + sample(missing)
                    + ")");
        }
        if (!unexpected.isEmpty()) {
            problems.add(unexpected.size() + " unexpected tensor" + (unexpected.size() == 1 ? "" : "s") + " ("
                    + sample(unexpected) + ")");
        }
        throw new WeightsMismatchException("the weights in " + weights.files() + " do not fit " + architecture + ": "
                + String.join(" and ", problems) + "; export a checkpoint saved from " + architecture
                + ", or choose the task its weights were saved for");
    }

    private static String sample(SortedSet<String> names) {
        List<String> shown = names.stream().limit(NAMES_SHOWN).toList();
        return String.join(", ", shown) + (names.size() > NAMES_SHOWN ? ", ..." : "");
    }
}
