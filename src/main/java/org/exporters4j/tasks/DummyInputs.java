package org.exporters4j.tasks;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The dummy inputs of one export, in the exported graph's input order. */
public record DummyInputs(List<DummyTensor> tensors) {
    public DummyInputs {
        tensors = List.copyOf(tensors);
        Set<String> names = new HashSet<>();
        for (DummyTensor tensor : tensors) {
            if (!names.add(tensor.name())) {
                throw new IllegalArgumentException("two dummy inputs are named " + tensor.name());
            }
        }
    }

    /** Input names in graph order. */
    public List<String> names() {
        return tensors.stream().map(DummyTensor::name).toList();
    }

    public Optional<DummyTensor> find(String name) {
        return tensors.stream().filter(tensor -> tensor.name().equals(name)).findFirst();
    }

    /** The input named {@code name}; it must exist. */
    public DummyTensor get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("no dummy input named " + name
                + "; the inputs are " + names()));
    }
}
