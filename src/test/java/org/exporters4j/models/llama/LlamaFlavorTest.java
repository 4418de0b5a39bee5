package org.exporters4j.models.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.exporters4j.models.llama.LlamaFlavor.Choice;
import org.exporters4j.models.llama.LlamaFlavor.Options;
import org.junit.jupiter.api.Test;

class LlamaFlavorTest {
    /** Every choice of every kind replaces the component of its kind and leaves the others as the preset has them. */
    @Test
    void withChangesOnlyTheComponentOfTheChoicesKind() throws ReflectiveOperationException {
        for (Options preset : Set.of(Options.LLAMA, Options.GEMMA3, Options.PHI3)) {
            for (Class<?> kind : Choice.class.getPermittedSubclasses()) {
                for (Object constant : kind.getEnumConstants()) {
                    Options changed = preset.with((Choice) constant);
                    for (RecordComponent component : Options.class.getRecordComponents()) {
                        Object expected = component.getType() == kind ? constant
                                : component.getAccessor().invoke(preset);
                        assertEquals(expected, component.getAccessor().invoke(changed),
                                component.getName() + " after with(" + constant + ")");
                    }
                }
            }
        }
    }

    /** Each kind of choice is the type of exactly one component, so {@code with} has a place for each. */
    @Test
    void everyKindOfChoiceIsOneComponent() {
        Set<Class<?>> componentTypes = Arrays.stream(Options.class.getRecordComponents())
                .map(RecordComponent::getType).collect(Collectors.toSet());
        for (Class<?> kind : Choice.class.getPermittedSubclasses()) {
            assertEquals(1, Arrays.stream(Options.class.getRecordComponents())
                    .filter(component -> component.getType() == kind).count(), kind.getSimpleName());
        }
        assertEquals(Choice.class.getPermittedSubclasses().length + 1, componentTypes.size(),
                "the components are the kinds of choice and the pooling");
    }
}
