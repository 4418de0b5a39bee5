package org.exporters4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Head#copyOf}: an unmodifiable copy of a set of heads, in declaration order. */
class HeadTest {
    @Test
    void copiesInDeclarationOrderAndRefusesChanges() {
        Set<Head> given = new LinkedHashSet<>(List.of(Head.QUESTION_ANSWERING, Head.BASE, Head.CAUSAL_LM));
        Set<Head> copy = Head.copyOf(given);
        assertEquals(List.of(Head.BASE, Head.CAUSAL_LM, Head.QUESTION_ANSWERING), List.copyOf(copy));
        given.add(Head.MASKED_LM);
        assertEquals(3, copy.size(), "the copy does not follow the original");
        assertThrows(UnsupportedOperationException.class, () -> copy.add(Head.MASKED_LM));
    }

    @Test
    void anEmptyViewGivesTheEmptySet() {
        // EnumSet.copyOf throws on this: an empty collection that is not itself an EnumSet
        Set<Head> none = Collections.unmodifiableSet(EnumSet.noneOf(Head.class));
        assertThrows(IllegalArgumentException.class, () -> EnumSet.copyOf(none));
        assertTrue(Head.copyOf(none).isEmpty());
    }
}
