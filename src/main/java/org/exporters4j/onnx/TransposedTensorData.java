package org.exporters4j.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.List;

/**
 * The transpose of a 2-D matrix, computed while written: output rows are produced a block at a time from a view of
 * the source, so memory grows with one block, not with the matrix. A PyTorch {@code nn.Linear} weight
 * {@code [out, in]} becomes the {@code [in, out]} right operand of a MatMul this way.
 */
final class TransposedTensorData extends DerivedTensorData {
    /** Bytes of output produced per write; several output rows when rows are short. */
    private static final int BLOCK_BYTES = 1 << 20;

    TransposedTensorData(TensorData source) {
        super("transposed", source, source.elementType(), swapped(source));
    }

    private static List<Long> swapped(TensorData source) {
        if (source.dims().size() != 2) {
            throw new OnnxGraphException("only a 2-D matrix can be transposed as tensor data, got a "
                    + source.elementType().onnxName() + source.dims() + " tensor; use a Transpose node for other ranks");
        }
        return List.of(source.dims().get(1), source.dims().get(0));
    }

    /** The transpose of the narrowed source (narrowing is element by element). */
    @Override
    public TensorData narrowedTo(ElementType half) {
        return half == elementType() ? this : new TransposedTensorData(source.narrowedTo(half));
    }

    @Override
    public void writeTo(WritableByteChannel channel) throws IOException {
        int width = source.elementType().byteWidth();
        int sourceRows = Math.toIntExact(source.dims().get(0));
        int sourceColumns = Math.toIntExact(source.dims().get(1));
        if (sourceRows == 0 || sourceColumns == 0) {
            return;
        }
        ByteBuffer input = source.bytes();
        long outputRowBytes = (long) sourceRows * width;
        int rowsPerBlock = (int) Math.max(1, Math.min(sourceColumns, BLOCK_BYTES / outputRowBytes));
        ByteBuffer block = ByteBuffer.allocate(Math.toIntExact(rowsPerBlock * outputRowBytes))
                .order(ByteOrder.LITTLE_ENDIAN);
        byte[] element = new byte[width];
        for (int firstColumn = 0; firstColumn < sourceColumns; firstColumn += rowsPerBlock) {
            int columns = Math.min(rowsPerBlock, sourceColumns - firstColumn);
            block.clear();
            // Reads each source row once per block (contiguous), scattering into the block's output rows.
            for (int row = 0; row < sourceRows; row++) {
                int rowStart = (row * sourceColumns + firstColumn) * width;
                for (int c = 0; c < columns; c++) {
                    input.get(rowStart + c * width, element);
                    block.put((int) (c * outputRowBytes + (long) row * width), element);
                }
            }
            block.position(0).limit((int) (columns * outputRowBytes));
            while (block.hasRemaining()) {
                channel.write(block);
            }
        }
    }
}
