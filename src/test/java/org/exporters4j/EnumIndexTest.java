package org.exporters4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class EnumIndexTest {
    private enum Colour {
        RED("r"), GREEN("g"), BLUE("b");

        private final String letter;

        Colour(String letter) {
            this.letter = letter;
        }
    }

    private enum Clash { FIRST, SECOND }

    @Test
    void findsEachConstantBySpellingAndNothingElse() {
        EnumIndex<Colour, String> index = EnumIndex.of(Colour.class, c -> c.letter);
        assertEquals(Optional.of(Colour.GREEN), index.find("g"));
        assertEquals(Optional.of(Colour.BLUE), index.find("b"));
        assertTrue(index.find("G").isEmpty());
        assertTrue(index.find(null).isEmpty());
    }

    @Test
    void listsSpellingsInDeclarationOrder() {
        EnumIndex<Colour, String> index = EnumIndex.of(Colour.class, c -> c.letter);
        assertEquals("r, g, b", index.keys());
        assertEquals("RED=r, GREEN=g, BLUE=b", index.choices(c -> c + "=" + c.letter));
    }

    @Test
    void refusesTwoConstantsSpeltAlike() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EnumIndex.of(Clash.class, c -> "same"));
        assertEquals("Clash.FIRST and SECOND are both spelt same; give each constant its own spelling", e.getMessage());
    }
}
