package org.exporters4j.models.bart;

import org.exporters4j.onnx.TensorData;

/**
 * The frozen sinusoidal position tables of Marian and M2M-100, computed as Transformers 4.25.1 computes them when
 * the checkpoint does not hold them (Marian's seq2seq models do not save theirs). Both are float32
 * {@code [rows, dim]} tables.
 */
enum SinusoidalPositions {
    /**
     * {@code MarianSinusoidalPositionalEmbedding._init_weight}: in float64 (numpy),
     * {@code angle(p, j) = p / 10000^(2⌊j/2⌋ / dim)}; the first {@code ⌈dim/2⌉} columns hold {@code sin} of the even
     * columns' angles, the rest {@code cos} of the odd columns' angles; then rounded to float32.
     */
    MARIAN,
    /**
     * {@code M2M100SinusoidalPositionalEmbedding.get_embedding} (fairseq), in float32 (torch): with
     * {@code half = dim / 2}, {@code frequency(i) = exp(i · −ln(10000) / (half − 1))}, {@code angle = p · frequency};
     * columns {@code [sin | cos]}, a zero column when {@code dim} is odd, and the padding row all zeros.
     */
    FAIRSEQ;

    /**
     * The table of {@code rows × dim} values; {@code paddingRow} (FAIRSEQ only, −1 for none) is zeroed.
     */
    TensorData table(int rows, int dim, long paddingRow) {
        if (rows < 1 || dim < 1 || (long) rows * dim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a sinusoidal table needs 1 or more rows and columns (at most 2^31 "
                    + "values), got " + rows + " × " + dim);
        }
        float[] values = new float[rows * dim];
        switch (this) {
            case MARIAN -> fillMarian(values, rows, dim);
            case FAIRSEQ -> fillFairseq(values, rows, dim, paddingRow);
        }
        return TensorData.ofFloats(values, rows, dim);
    }

    private static void fillMarian(float[] values, int rows, int dim) {
        int sentinel = (dim + 1) / 2;
        for (int position = 0; position < rows; position++) {
            for (int column = 0; column < dim; column++) {
                // column c < sentinel is sin of even column 2c; column sentinel + k is cos of odd column 2k + 1
                int source = column < sentinel ? 2 * column : 2 * (column - sentinel) + 1;
                double angle = position / Math.pow(10000, 2.0 * (source / 2) / dim);
                values[position * dim + column] = (float) (column < sentinel ? Math.sin(angle) : Math.cos(angle));
            }
        }
    }

    private static void fillFairseq(float[] values, int rows, int dim, long paddingRow) {
        int half = dim / 2;
        // torch: arange(half, float32) * -(ln(10000) / (half - 1)), each step rounded to float32
        float step = (float) -(Math.log(10000) / (half - 1));
        float[] frequencies = new float[half];
        for (int i = 0; i < half; i++) {
            frequencies[i] = (float) Math.exp((float) i * step);
        }
        for (int position = 0; position < rows; position++) {
            if (position == paddingRow) {
                continue;
            }
            for (int i = 0; i < half; i++) {
                float angle = (float) position * frequencies[i];
                values[position * dim + i] = (float) Math.sin(angle);
                values[position * dim + half + i] = (float) Math.cos(angle);
            }
        }
    }
}
