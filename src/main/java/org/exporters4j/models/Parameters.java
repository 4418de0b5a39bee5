package org.exporters4j.models;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.exporters4j.checkpoint.TensorInfo;
import org.exporters4j.checkpoint.Weights;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Value;

/**
 * The checkpoint's tensors as float32 initializers of one graph, looked up by their Hugging Face names
 * ({@code "bert.encoder.layer.0.attention.self.query.weight"}). A name read twice yields the same value (ALBERT's
 * shared layers, tied embeddings); float16, bfloat16 and float64 tensors are converted lazily, tensor by tensor,
 * while the model is written, as Transformers loads them into a float32 model.
 *
 * <p>A missing tensor is a {@link MissingWeightsException} naming the tensor, what needs it and the checkpoint.
 */
public final class Parameters {
    private final Weights weights;
    private final OnnxGraphBuilder graph;
    private final String purpose;
    private final ModelForm form;
    private final Map<String, Value> bound = new HashMap<>();

    /**
     * Parameters of a graph in the plain form.
     *
     * @param purpose what the graph is, for error messages, e.g. {@code "the bert sequence-classification head"}
     */
    public Parameters(Weights weights, OnnxGraphBuilder graph, String purpose) {
        this(weights, graph, purpose, ModelForm.PLAIN);
    }

    /**
     * @param purpose what the graph is, for error messages, e.g. {@code "the bert sequence-classification head"}
     * @param form the graph's form, which the blocks reading weights through these parameters follow
     */
    public Parameters(Weights weights, OnnxGraphBuilder graph, String purpose, ModelForm form) {
        this.weights = Objects.requireNonNull(weights, "weights");
        this.graph = Objects.requireNonNull(graph, "graph");
        this.purpose = Objects.requireNonNull(purpose, "purpose");
        this.form = Objects.requireNonNull(form, "form");
    }

    /** The form of the graph these parameters are bound to ({@link GraphInterface#form()}). */
    public ModelForm form() {
        return form;
    }

    public boolean contains(String name) {
        return weights.contains(name);
    }

    /** The tensor's shape; a missing tensor is an error. */
    public List<Long> shape(String name) {
        return info(name).shape();
    }

    /** Dimension {@code index} of the tensor's shape; a missing tensor or dimension is an error. */
    public long dimension(String name, int index) {
        List<Long> shape = shape(name);
        if (index >= shape.size()) {
            throw new ArchitectureException("tensor '" + name + "' has shape " + shape + " but " + purpose
                    + " needs at least " + (index + 1) + " dimensions; the checkpoint " + files()
                    + " does not fit this model type");
        }
        return shape.get(index);
    }

    /** The tensor's name, type and shape; a missing tensor is an error. */
    public TensorInfo info(String name) {
        if (!weights.contains(name)) {
            throw missing(name);
        }
        return weights.info(name);
    }

    /**
     * One initializer computed from checkpoint tensors while it is written, named {@code name} (not a checkpoint
     * name: a fused form's merged or transposed weight, e.g. the query, key and value weights side by side):
     * {@code derive} receives each of {@code sources} as float32 data, shapes checked as {@link #tensor} checks them.
     * Asked again under the same name, the same value.
     */
    public Value derived(String name, java.util.function.Function<List<org.exporters4j.onnx.TensorData>,
            org.exporters4j.onnx.TensorData> derive, List<Source> sources) {
        Value value = bound.get(name);
        if (value != null) {
            return value;
        }
        List<org.exporters4j.onnx.TensorData> data = new ArrayList<>();
        for (Source source : sources) {
            data.add(floatData(source.name(), source.shape().stream().mapToLong(Long::longValue).toArray()));
        }
        value = graph.initializer(name, derive.apply(data));
        bound.put(name, value);
        return value;
    }

    /** A checkpoint tensor a {@link #derived} initializer reads, with the shape it must have. */
    public record Source(String name, List<Long> shape) {
        public Source {
            Objects.requireNonNull(name, "name");
            shape = List.copyOf(shape);
        }

        public static Source of(String name, long... shape) {
            return new Source(name, Arrays.stream(shape).boxed().toList());
        }
    }

    /** The tensor as a float32 initializer of the graph, checked to have {@code expectedShape} when one is given. */
    public Value tensor(String name, long... expectedShape) {
        Value value = bound.get(name);
        if (value != null) {
            return value;
        }
        value = graph.initializer(name, floatData(name, expectedShape));
        bound.put(name, value);
        return value;
    }

    private org.exporters4j.onnx.TensorData floatData(String name, long... expectedShape) {
        TensorInfo info = info(name);
        if (expectedShape.length > 0) {
            List<Long> expected = Arrays.stream(expectedShape).boxed().toList();
            if (!info.shape().equals(expected)) {
                throw new ArchitectureException("tensor '" + name + "' has shape " + info.shape() + " but "
                        + purpose + " needs " + expected + " from config.json; the config and the weights in "
                        + files() + " do not belong together");
            }
        }
        CheckpointTensor data = new CheckpointTensor(weights, info);
        if (!data.elementType().isFloatingPoint()) {
            throw new ArchitectureException("tensor '" + name + "' is " + info.dtype().torchName() + " but "
                    + purpose + " needs floating-point weights; the checkpoint in " + files() + " is not a "
                    + "float model");
        }
        return data.convertedTo(ElementType.FLOAT);
    }

    /**
     * The prefix under which the base model's tensors are stored: {@code "bert."} in a checkpoint saved from a
     * model with a head (BertForMaskedLM), {@code ""} in one saved from the bare model (BertModel). Transformers
     * loads either into either, and so does this.
     *
     * @param headPrefix the base model prefix without the dot, e.g. {@code "bert"}
     * @param probe a tensor every base model has, relative to the base, e.g. {@code "embeddings.word_embeddings.weight"}
     */
    public String basePrefix(String headPrefix, String probe) {
        String headed = headPrefix + "." + probe;
        if (weights.contains(headed)) {
            return headPrefix + ".";
        }
        if (weights.contains(probe)) {
            return "";
        }
        throw new MissingWeightsException("the checkpoint has neither '" + headed + "' nor '" + probe + "', which "
                + purpose + " needs (" + closeMatches(probe) + "); is " + files() + " a checkpoint of this model type?");
    }

    /** The first of {@code names} the checkpoint has (names of one tied parameter, preferred first). */
    public String firstPresent(String... names) {
        for (String name : names) {
            if (weights.contains(name)) {
                return name;
            }
        }
        throw missing(names[0]);
    }

    /** What the graph is, as given at construction. */
    public String purpose() {
        return purpose;
    }

    private MissingWeightsException missing(String name) {
        return new MissingWeightsException("the checkpoint has no tensor '" + name + "', which " + purpose
                + " needs (" + closeMatches(name) + "; checkpoint: " + files() + "); export a checkpoint saved "
                + "with this head, or choose a task whose weights the checkpoint has (e.g. --task default)");
    }

    private String files() {
        List<Path> files = weights.files();
        return files.size() == 1 ? files.get(0).toString() : files.toString();
    }

    /** Up to three tensor names ending like {@code name} (its last two parts), for error messages. */
    private String closeMatches(String name) {
        String leaf = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
        List<String> matches = new ArrayList<>();
        for (String candidate : weights.names()) {
            if (candidate.endsWith(leaf) && matches.size() < 3) {
                matches.add(candidate);
            }
        }
        String count = weights.names().size() + " tensors";
        if (matches.isEmpty()) {
            return "it has " + count + ", none ending in '" + leaf + "'";
        }
        return "it has " + count + ", e.g. " + matches.stream().map(m -> "'" + m + "'")
                .collect(Collectors.joining(", "));
    }
}
