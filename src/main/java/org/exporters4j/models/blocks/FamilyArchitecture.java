package org.exporters4j.models.blocks;

import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.models.Architecture;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.Component;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.Head;
import org.exporters4j.models.Variant;
import org.exporters4j.onnx.OnnxModel;

/**
 * The part of {@link Architecture} every graph family shares: its model type, family name and variants, and the
 * build frame ({@link GraphBuild}: the variant refused with the ones the family builds, the graph, the weights,
 * the outputs declared in the interface's order). A family supplies {@link #addOutputs}.
 */
public abstract class FamilyArchitecture implements Architecture {
    private final String modelType;
    private final String family;
    private final Set<Variant> variants;
    private final String note;

    protected FamilyArchitecture(String modelType, String family, Set<Variant> variants) {
        this(modelType, family, variants, "");
    }

    /** @param note ends the refusal of a variant the family does not build, e.g. why it builds only these */
    protected FamilyArchitecture(String modelType, String family, Set<Variant> variants, String note) {
        this.modelType = Objects.requireNonNull(modelType, "modelType");
        this.family = Objects.requireNonNull(family, "family");
        this.variants = Set.copyOf(variants);
        this.note = Objects.requireNonNull(note, "note");
    }

    /** The variants of {@code heads}, each built without the cache. */
    protected static Set<Variant> withoutPast(Set<Head> heads) {
        return heads.stream().map(Variant::of).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public final String modelType() {
        return modelType;
    }

    @Override
    public final String family() {
        return family;
    }

    @Override
    public final Set<Variant> variants() {
        return variants;
    }

    @Override
    public final OnnxModel build(ModelConfig config, Weights weights, Variant variant, GraphInterface graphInterface) {
        if (!components().contains(graphInterface.component())) {
            throw new ArchitectureException(modelType + " has no " + graphInterface.component() + " graph: the "
                    + family + " family builds " + components().stream().map(Component::toString).sorted()
                    .collect(Collectors.joining(", ")) + " graphs");
        }
        GraphBuild build = GraphBuild.start(modelType, variants, note, variant, weights, graphInterface);
        addOutputs(config, variant, build);
        return build.finish();
    }

    /**
     * The parts of the model this family builds as graphs of their own ({@link GraphInterface#component()}): the
     * whole model only, unless an encoder-decoder family also builds its encoder and decoder apart.
     */
    protected Set<Component> components() {
        return Set.of(Component.MODEL);
    }

    /**
     * Reads and checks the config's options, declares the graph's inputs, computes the body and adds the head's
     * outputs to {@link GraphBuild#outputs()}; {@code variant} is one of {@link #variants()}.
     */
    protected abstract void addOutputs(ModelConfig config, Variant variant, GraphBuild build);
}
