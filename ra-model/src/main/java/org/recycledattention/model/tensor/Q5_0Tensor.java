package org.recycledattention.model.tensor;

import java.lang.foreign.MemorySegment;

/**
 * GGML {@code Q5_0}: blocks of 32 elements: f16 scale {@code d}, a little-endian 32-bit word whose
 * bit {@code i} is element {@code i}'s fifth bit, then 16 bytes of nibbles laid out as Q4_0's; an
 * element is {@code ((nibble | bit << 4) - 16) · d}. 22 bytes per block; activations {@link
 * InputFormat#Q8_0}.
 */
public final class Q5_0Tensor extends NibbleTensor {
  Q5_0Tensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q5_0, InputFormat.Q8_0, 6, 2, Vec.Q5_0_TABLE, name, data, rows, cols);
  }
}
