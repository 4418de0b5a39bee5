package org.exporters4j.models.blocks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.exporters4j.models.ArchitectureException;
import org.exporters4j.models.CacheTensor;
import org.exporters4j.models.GraphInterface;
import org.exporters4j.models.InterfaceTensor;
import org.exporters4j.onnx.Dim;
import org.exporters4j.onnx.ElementType;
import org.exporters4j.onnx.OnnxGraphBuilder;
import org.exporters4j.onnx.Shape;
import org.exporters4j.onnx.Value;

/**
 * The graph inputs of a model whose inputs are not only token ids (images, audio features, boxes, caches): each
 * input the interface lists is declared in the interface's order, checked against the family's accepted inputs
 * (name, kind, rank) and handed to the builder by name. Integer inputs are seen as int64 (an int32 input is cast),
 * float inputs as float32. Dimensions the interface does not name get the accepted input's axis names, or a fixed
 * size where the model fixes one (a box's 4 coordinates).
 */
public final class GraphInputs {
    /** The kind of values an input holds. */
    public enum Kind {
        /** Token ids, masks, boxes: int64 (int32 accepted and cast). */
        INTEGER,
        /** Pixels, audio features, cached keys and values: float32. */
        FLOAT
    }

    /**
     * One input a family reads.
     *
     * @param name the forward argument's name, e.g. {@code pixel_values}
     * @param kind integer or float
     * @param dims the natural dimensions: axis names ({@link Dim#symbolic}) or fixed sizes, one per axis
     */
    public record Accepted(String name, Kind kind, List<Dim> dims) {
        public Accepted {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            dims = List.copyOf(dims);
        }

        public static Accepted of(String name, Kind kind, Dim... dims) {
            return new Accepted(name, kind, List.of(dims));
        }
    }

    /**
     * The cache inputs a family takes (float32), beside its {@link Accepted} ones.
     *
     * @param description how errors name them after the accepted inputs, e.g. {@code past_key_values.<layer>.key/value}
     * @param dims the natural dimensions of a cache input, or empty when the family does not take it (an error
     *             then names the inputs it takes); may throw a more precise error (a layer the model lacks)
     */
    public record CacheInputs(String description, Function<CacheTensor, Optional<List<Dim>>> dims) {
        /** A family that takes no cache. */
        public static final CacheInputs NONE = new CacheInputs("", tensor -> Optional.empty());

        public CacheInputs {
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(dims, "dims");
        }
    }

    private final Map<String, Value> values;
    private final Map<CacheTensor, Value> cache;
    private final String purpose;
    private final GraphInterface graphInterface;

    private GraphInputs(Map<String, Value> values, Map<CacheTensor, Value> cache, String purpose,
                        GraphInterface graphInterface) {
        this.values = values;
        this.cache = cache;
        this.purpose = purpose;
        this.graphInterface = graphInterface;
    }

    /**
     * Declares every input of {@code graphInterface}; each must be one of {@code accepted}. Inputs the family needs
     * are checked by {@link #required}.
     *
     * @param purpose the graph, for errors, e.g. {@code "the clip default graph"}
     */
    public static GraphInputs declare(OnnxGraphBuilder graph, GraphInterface graphInterface, List<Accepted> accepted,
                                      String purpose) {
        return declare(graph, graphInterface, accepted, CacheInputs.NONE, purpose);
    }

    /**
     * Declares every input of {@code graphInterface}: each is one of {@code accepted} or a cache input {@code cache}
     * takes (float32, with the dimensions it gives); {@link #cache(CacheTensor)} hands the cache inputs out.
     *
     * @param purpose the graph, for errors, e.g. {@code "the t5 seq2seq-lm with past graph"}
     */
    public static GraphInputs declare(OnnxGraphBuilder graph, GraphInterface graphInterface, List<Accepted> accepted,
                                      CacheInputs cache, String purpose) {
        Map<String, Accepted> byName = new LinkedHashMap<>();
        accepted.forEach(input -> byName.put(input.name(), input));
        Map<String, Value> values = new LinkedHashMap<>();
        Map<CacheTensor, Value> cacheValues = new LinkedHashMap<>();
        for (InterfaceTensor tensor : graphInterface.inputs()) {
            Optional<List<Dim>> cacheDims = tensor.cache().flatMap(cache.dims());
            if (cacheDims.isPresent()) {
                if (tensor.elementType() != ElementType.FLOAT) {
                    throw new ArchitectureException(purpose + ": cache input '" + tensor.name()
                            + "' must be float32, not " + tensor.elementType().onnxName());
                }
                cacheValues.put(tensor.cache().get(), graph.input(tensor.name(), ElementType.FLOAT,
                        shape(tensor, cacheDims.get(), purpose)));
                continue;
            }
            Accepted input = byName.get(tensor.name());
            if (input == null) {
                throw new ArchitectureException(purpose + " has no input '" + tensor.name() + "'; it takes "
                        + String.join(", ", byName.keySet()) + (cache.description().isEmpty()
                        ? (byName.size() == 1 ? " only" : "") : " and " + cache.description()));
            }
            boolean integer = tensor.elementType() == ElementType.INT64 || tensor.elementType() == ElementType.INT32;
            if (input.kind() == Kind.INTEGER ? !integer : tensor.elementType() != ElementType.FLOAT) {
                throw new ArchitectureException(purpose + ": input '" + tensor.name() + "' must be "
                        + (input.kind() == Kind.INTEGER ? "int64 (or int32)" : "float32") + ", not "
                        + tensor.elementType().onnxName());
            }
            Value value = graph.input(tensor.name(), tensor.elementType(), shape(tensor, input.dims(), purpose));
            if (tensor.elementType() == ElementType.INT32) {
                value = graph.cast(value, ElementType.INT64);
            }
            values.put(tensor.name(), value);
        }
        return new GraphInputs(values, cacheValues, purpose, graphInterface);
    }

    /** The interface's dimensions where it names them, else {@code natural}'s; a dynamic axis past the rank is refused. */
    private static Shape shape(InterfaceTensor tensor, List<Dim> natural, String purpose) {
        int rank = natural.size();
        for (int index : tensor.dynamicAxes().keySet()) {
            if (index >= rank) {
                throw new ArchitectureException(purpose + ": input '" + tensor.name() + "' has " + rank
                        + " dimensions " + natural + " but the interface names dynamic axis " + index);
            }
        }
        List<Dim> dims = new ArrayList<>();
        for (int index = 0; index < rank; index++) {
            dims.add(tensor.dim(index, natural.get(index)));
        }
        return new Shape(dims);
    }

    /**
     * Declares every input of the interface of {@code build}; each must be one of {@code accepted}. The one input
     * binder: every family's inputs (tokens, pixels, boxes, features) are declared and checked here.
     */
    public static GraphInputs declare(GraphBuild build, List<Accepted> accepted) {
        return declare(build.graph(), build.graphInterface(), accepted, build.purpose());
    }

    /** The input {@code name}; an interface without it is an error naming what it lists. */
    public Value required(String name) {
        Value value = values.get(name);
        if (value == null) {
            throw new ArchitectureException(purpose + " needs the input '" + name + "', which the interface does "
                    + "not list (it lists " + graphInterface.inputNames() + ")");
        }
        return value;
    }

    /** The input {@code name}, if the interface lists it. */
    public Optional<Value> optional(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** The cache input {@code tensor}, if the interface lists it. */
    public Optional<Value> cache(CacheTensor tensor) {
        return Optional.ofNullable(cache.get(tensor));
    }

    /** The declared input names, in graph order. */
    public List<String> names() {
        return List.copyOf(values.keySet());
    }

    @Override
    public String toString() {
        return values.keySet().stream().collect(Collectors.joining(", ", "GraphInputs[", "]"));
    }
}
