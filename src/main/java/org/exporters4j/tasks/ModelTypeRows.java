package org.exporters4j.tasks;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.exporters4j.models.Architecture;
import org.exporters4j.models.Head;
import org.exporters4j.models.Variant;
import org.exporters4j.tasks.ModelTypeRow.Registered;
import org.exporters4j.tasks.ModelTypeRow.TaskLine;

/**
 * The vocabulary the model-type tables are written in ({@link OptimumV152ModelTypes}, {@link TextDecoderModelTypes},
 * {@link AudioModelTypes}):
 * a row ({@link #type}), its task lines ({@link #task}) with Transformers' PyTorch and TensorFlow classes, and the
 * graph families built for the variants a row registers. {@link ModelTypes} merges the tables.
 */
final class ModelTypeRows {
    static final List<String> NO_PT = List.of();
    static final List<String> NO_TF = List.of();

    /** A graph family and flavour, built for one model type and the variants its row registers. */
    @FunctionalInterface
    interface GraphOf {
        Architecture build(String modelType, Set<Variant> variants);
    }

    /** The row of a model type whose graph family is not written yet. */
    static final GraphOf NO_GRAPH_YET = (modelType, variants) -> null;

    private ModelTypeRows() {}

    static TaskLine task(Registered registered, Task task, List<String> pytorchClasses,
                         List<String> tensorflowClasses) {
        return new TaskLine(registered, task, pytorchClasses, tensorflowClasses);
    }

    static List<String> pt(String... classes) {
        return List.of(classes);
    }

    static List<String> tf(String... classes) {
        return List.of(classes);
    }

    /**
     * A row: the graph is built for the registered variants Transformers has a class for, and must build exactly
     * those (a family with a fixed set of heads that disagrees with the row fails here, when the class loads).
     */
    static ModelTypeRow type(String modelType, OnnxModelRow onnx, GraphOf graphOf, TaskLine... lines) {
        ModelTypeRow unbuilt = new ModelTypeRow(modelType, onnx, Optional.empty(), List.of(lines));
        if (graphOf == NO_GRAPH_YET) {
            return unbuilt;
        }
        Set<Variant> variants = unbuilt.loadableVariants();
        Architecture architecture = graphOf.build(modelType, variants);
        if (!architecture.modelType().equals(modelType) || !architecture.variants().equals(variants)) {
            throw new IllegalStateException(modelType + ": the " + architecture.family() + " graph of "
                    + architecture.modelType() + " builds " + sorted(architecture.variants()) + ", but the row "
                    + "registers " + sorted(variants) + " (that Transformers can load); make the family build exactly "
                    + "those, or change the row's task lines");
        }
        return new ModelTypeRow(modelType, onnx, Optional.of(architecture), List.of(lines));
    }

    private static List<String> sorted(Set<Variant> variants) {
        return variants.stream().map(Variant::toString).sorted().toList();
    }

    static GraphOf family(Supplier<Architecture> family) {
        return (modelType, variants) -> family.get();
    }

    /** The heads of the variants without the cache. */
    static Set<Head> heads(Set<Variant> variants) {
        EnumSet<Head> heads = EnumSet.noneOf(Head.class);
        variants.stream().filter(variant -> !variant.usesPast()).forEach(variant -> heads.add(variant.head()));
        return Collections.unmodifiableSet(heads);
    }

    /** The heads of the variants with the cache. */
    static Set<Head> headsWithPast(Set<Variant> variants) {
        EnumSet<Head> heads = EnumSet.noneOf(Head.class);
        variants.stream().filter(Variant::usesPast).forEach(variant -> heads.add(variant.head()));
        return Collections.unmodifiableSet(heads);
    }
}
