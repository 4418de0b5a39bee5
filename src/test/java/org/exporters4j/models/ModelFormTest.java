package org.exporters4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The form of a graph beside its interface: the plain default, the changes one at a time, the refused values. */
class ModelFormTest {
    @Test
    void plainIsOptimumsForm() {
        assertEquals(ModelForm.Operators.STANDARD, ModelForm.PLAIN.operators());
        assertEquals(ModelForm.Precision.FLOAT32, ModelForm.PLAIN.precision());
        assertEquals(WeightQuantization.NONE, ModelForm.PLAIN.quantization());
        assertFalse(ModelForm.PLAIN.fused());
        assertEquals("plain", ModelForm.PLAIN.toString());
    }

    @Test
    void eachComponentChangesAlone() {
        ModelForm fused = ModelForm.PLAIN.withOperators(ModelForm.Operators.FUSED);
        assertTrue(fused.fused());
        assertEquals(ModelForm.Precision.FLOAT32, fused.precision());
        assertEquals("fused operators", fused.toString());
        ModelForm half = fused.withPrecision(ModelForm.Precision.FLOAT16)
                .withQuantization(WeightQuantization.int4(32, WeightQuantization.Symmetry.SYMMETRIC));
        assertEquals("fused operators, float16, int4 blocks of 32 symmetric weights", half.toString());
        assertEquals(ModelForm.Operators.FUSED, half.operators());
    }

    @Test
    void refusesBlockSizesMatMulNBitsDoesNotTake() {
        IllegalArgumentException odd = assertThrows(IllegalArgumentException.class,
                () -> WeightQuantization.int4(48, WeightQuantization.Symmetry.SYMMETRIC));
        assertEquals("the int4 block size must be a power of two from 16 to 256 (MatMulNBits' block_size), got 48;"
                + " 32 is the usual one", odd.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> WeightQuantization.int4(8, WeightQuantization.Symmetry.ASYMMETRIC));
        assertThrows(IllegalArgumentException.class,
                () -> new WeightQuantization(WeightQuantization.Scheme.INT8, 32,
                        WeightQuantization.Symmetry.SYMMETRIC));
        assertThrows(IllegalArgumentException.class,
                () -> new WeightQuantization(WeightQuantization.Scheme.NONE, 0,
                        WeightQuantization.Symmetry.ASYMMETRIC));
        assertThrows(NullPointerException.class, () -> new ModelForm(null, ModelForm.Precision.FLOAT32,
                WeightQuantization.NONE));
        assertEquals(256, WeightQuantization.int4(256, WeightQuantization.Symmetry.ASYMMETRIC).blockSize());
    }
}
