package org.recycledattention.model.tensor;

import java.lang.foreign.MemorySegment;

/**
 * GGML {@code Q4_0}: blocks of 32 elements, each an f16 scale {@code d} followed by 16 bytes of
 * nibbles. Byte {@code i} holds element {@code i} in its low nibble and element {@code i + 16} in
 * its high nibble; an element is {@code (nibble - 8) · d}. 18 bytes per block; activations
 * {@link InputFormat#Q8_0}.
 */
public final class Q4_0Tensor extends NibbleTensor {
  Q4_0Tensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q4_0, InputFormat.Q8_0, 2, -1, Vec.Q4_0_TABLE, name, data, rows, cols);
  }
}
