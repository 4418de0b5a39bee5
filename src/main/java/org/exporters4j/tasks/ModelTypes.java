package org.exporters4j.tasks;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.exporters4j.models.Architecture;
import org.exporters4j.models.ArchitectureException;

/**
 * The one table of model types: a row per model type holds everything exporters4j knows about it (see
 * {@link ModelTypeRow}). The rows are written in a few files, one per kind of model ({@link OptimumV152ModelTypes},
 * {@link TextDecoderModelTypes}, {@link AudioModelTypes}, in the vocabulary of {@link ModelTypeRows}) and merged here
 * into one table that
 * refuses duplicates; every other table is derived from these rows: Optimum's task registry
 * ({@link TasksManager}), Transformers' auto-class mappings ({@link AutoModelMappings}) and the graph builders
 * ({@link #architecture}). The config defaults of {@code checkpoint} are keyed by the same model types (a test
 * checks both ways).
 *
 * <p>A row reads: the model type; its ONNX configuration ({@link OnnxConfigs}: Optimum's class and this type's
 * differences); its graph builder (a family of {@code models} and this type's flavour, built for the registered
 * variants Transformers can load; {@code NO_GRAPH_YET} while none is written); then one line per task: who
 * registers it (Optimum v1.5.2, with or without the cache, a later Optimum, Optimum 1.25.3, or exporters4j's own row
 * with a registered type's interface; {@code NOT_REGISTERED} for classes Transformers has but no Optimum exports) and the classes Transformers' auto class of the task builds for the type,
 * PyTorch then TensorFlow (the first is the default; {@code NO_PT} / {@code NO_TF} where it has none).
 *
 * <p>Rows keep Optimum's order of model types (its registry order, which {@code tasks --json} reproduces), and
 * task lines Optimum's order of the type's tasks; duplicates are refused when the class loads, as is a graph
 * builder that would build other variants than the registered ones.
 */
public final class ModelTypes {
    /** Optimum v1.5.2's model types in its registry order, then the later ones, one table per kind of model. */
    private static final Map<String, ModelTypeRow> ROWS = table(
            OptimumV152ModelTypes.ROWS,
            TextDecoderModelTypes.ROWS,
            TextEncoderModelTypes.ROWS,
            VisionModelTypes.ROWS,
            AudioModelTypes.ROWS);

    private ModelTypes() {}

    /** Every row, in Optimum's registry order. */
    public static List<ModelTypeRow> rows() {
        return List.copyOf(ROWS.values());
    }

    /** The row of a model type in any case, with {@code _} or {@code -}; empty for a type no row describes. */
    public static Optional<ModelTypeRow> find(String modelType) {
        return Optional.ofNullable(ROWS.get(ModelTypeRegistry.normalize(modelType)));
    }

    /** The model types with a graph builder, sorted. */
    public static List<String> builtModelTypes() {
        return ROWS.values().stream().filter(row -> row.graph().isPresent()).map(ModelTypeRow::modelType).sorted()
                .toList();
    }

    /**
     * The graph builder of a model type (config.json's or Optimum's spelling, any case), for every variant its row
     * registers and Transformers can load.
     *
     * @throws ArchitectureException for a model type without a graph builder, saying why and naming those built
     */
    public static Architecture architecture(String modelType) {
        Optional<ModelTypeRow> row = find(modelType);
        if (row.isPresent() && row.get().graph().isPresent()) {
            return row.get().graph().get();
        }
        String built = String.join(", ", builtModelTypes());
        throw new ArchitectureException("model type '" + modelType + "' has no ONNX graph builder "
                + (row.isPresent() ? "yet (the task registry knows it; its graph family is not written)"
                : "(no row of the model-type table describes it)") + "; exporters4j builds " + built);
    }

    @SafeVarargs
    private static Map<String, ModelTypeRow> table(List<ModelTypeRow>... tables) {
        Map<String, ModelTypeRow> map = new LinkedHashMap<>();
        for (List<ModelTypeRow> rows : tables) {
            for (ModelTypeRow row : rows) {
                if (map.put(row.modelType(), row) != null) {
                    throw new IllegalStateException("duplicate model-type row: " + row.modelType());
                }
            }
        }
        return Collections.unmodifiableMap(map);
    }
}
