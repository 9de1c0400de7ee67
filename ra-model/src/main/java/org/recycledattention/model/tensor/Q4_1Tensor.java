package org.recycledattention.model.tensor;

import java.lang.foreign.MemorySegment;

/**
 * GGML {@code Q4_1}: blocks of 32 elements: f16 scale {@code d}, f16 minimum {@code m}, then 16
 * bytes of nibbles laid out as Q4_0's; an element is {@code nibble · d + m}. 20 bytes per block;
 * activations {@link InputFormat#Q8_1}, whose block sums {@code s} carry the minimum term.
 */
public final class Q4_1Tensor extends NibbleTensor {
  Q4_1Tensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q4_1, InputFormat.Q8_1, 4, -1, Vec.NIBBLES, name, data, rows, cols);
  }
}
