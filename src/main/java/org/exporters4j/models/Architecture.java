package org.exporters4j.models;

import java.util.Set;
import org.exporters4j.checkpoint.ModelConfig;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.onnx.OnnxModel;

/**
 * A graph family: builds the ONNX graph of one {@link Variant} of a model straight from its config and weights,
 * with exactly the requested {@link GraphInterface} (input and output names in order, element types, dynamic axis
 * names, opset). One implementation serves several model types whose differences are data (see
 * the model-type table, {@code tasks.ModelTypes}).
 *
 * <p>Contract: the returned model's initializers stream from {@code weights} when written, so {@code weights} must
 * stay open until the model is written. A config option the family does not build is an
 * {@link UnsupportedConfigException}; a tensor the head needs but the checkpoint lacks is a
 * {@link MissingWeightsException}; nothing is built then.
 */
public interface Architecture {

    /** The model type this instance builds, in Optimum's spelling, e.g. {@code xlm-roberta}. */
    String modelType();

    /** The family name, e.g. {@code bert}. */
    String family();

    /** The variants this family builds for its model type. */
    Set<Variant> variants();

    /** Builds the graph; see the interface contract. */
    OnnxModel build(ModelConfig config, Weights weights, Variant variant, GraphInterface graphInterface);
}
