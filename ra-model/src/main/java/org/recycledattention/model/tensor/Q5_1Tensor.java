package org.recycledattention.model.tensor;

import java.lang.foreign.MemorySegment;

/**
 * GGML {@code Q5_1}: blocks of 32 elements: f16 scale {@code d}, f16 minimum {@code m}, the fifth
 * bits and nibbles as in Q5_0; an element is {@code (nibble | bit << 4) · d + m}. 24 bytes per
 * block; activations {@link InputFormat#Q8_1}, whose block sums {@code s} carry the minimum term.
 */
public final class Q5_1Tensor extends NibbleTensor {
  Q5_1Tensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q5_1, InputFormat.Q8_1, 8, 4, Vec.NIBBLES, name, data, rows, cols);
  }
}
