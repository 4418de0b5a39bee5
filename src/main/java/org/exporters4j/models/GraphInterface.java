package org.exporters4j.models;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.exporters4j.onnx.Opset;

/**
 * The graph a caller asks an {@link Architecture} for: inputs and outputs in graph order with their element types
 * and dynamic axis names, the opset, and the Transformers release whose computation the graph mirrors where a
 * family's releases differ. Package {@code tasks} describes Optimum's interface of a task; this value carries it to
 * the builder without the builder knowing task names.
 *
 * @param component the part of an encoder-decoder the graph holds ({@link Component#MODEL}: all of it)
 * @param form the graph's form beside its interface: operators, precision, weight quantization
 *     ({@link ModelForm#PLAIN}: Optimum's)
 */
public record GraphInterface(List<InterfaceTensor> inputs, List<InterfaceTensor> outputs, Opset opset,
                             Component component, TransformersRelease transformers, ModelForm form) {
    public GraphInterface {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        Objects.requireNonNull(opset, "opset");
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(transformers, "transformers");
        Objects.requireNonNull(form, "form");
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("a graph interface needs at least one output");
        }
        Set<String> names = new HashSet<>();
        for (InterfaceTensor tensor : inputs) {
            if (!names.add(tensor.name())) {
                throw new IllegalArgumentException("input '" + tensor.name() + "' is listed twice");
            }
        }
        for (InterfaceTensor tensor : outputs) {
            if (!names.add(tensor.name())) {
                throw new IllegalArgumentException("output '" + tensor.name() + "' is listed twice or is also an input");
            }
        }
    }

    /** The graph of {@code component} as Transformers {@code transformers} computes it, in the plain form. */
    public GraphInterface(List<InterfaceTensor> inputs, List<InterfaceTensor> outputs, Opset opset,
                          Component component, TransformersRelease transformers) {
        this(inputs, outputs, opset, component, transformers, ModelForm.PLAIN);
    }

    /** The whole model's graph ({@link Component#MODEL}), of Optimum v1.5.2's interface (Transformers 4.25.1). */
    public GraphInterface(List<InterfaceTensor> inputs, List<InterfaceTensor> outputs, Opset opset) {
        this(inputs, outputs, opset, Component.MODEL);
    }

    /** One component's graph, of Optimum v1.5.2's interface (Transformers 4.25.1). */
    public GraphInterface(List<InterfaceTensor> inputs, List<InterfaceTensor> outputs, Opset opset,
                          Component component) {
        this(inputs, outputs, opset, component, TransformersRelease.V4_25_1);
    }

    /** The same interface, the graph in {@code newForm}. */
    public GraphInterface withForm(ModelForm newForm) {
        return new GraphInterface(inputs, outputs, opset, component, transformers, newForm);
    }

    public Optional<InterfaceTensor> input(String name) {
        return inputs.stream().filter(tensor -> tensor.name().equals(name)).findFirst();
    }

    public Optional<InterfaceTensor> output(String name) {
        return outputs.stream().filter(tensor -> tensor.name().equals(name)).findFirst();
    }

    public List<String> inputNames() {
        return inputs.stream().map(InterfaceTensor::name).toList();
    }

    public List<String> outputNames() {
        return outputs.stream().map(InterfaceTensor::name).toList();
    }

    @Override
    public String toString() {
        return (component == Component.MODEL ? "" : component + ": ") + "inputs " + inputNames() + ", outputs "
                + outputNames() + ", " + opset + ", as Transformers " + transformers
                + (form.equals(ModelForm.PLAIN) ? "" : ", " + form);
    }
}
