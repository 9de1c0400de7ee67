package org.recycledattention.engine.tensor;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;

/**
 * GGML {@code Q5_0}: blocks of 32 elements: f16 scale {@code d}, a little-endian 32-bit word whose
 * bit {@code i} is element {@code i}'s fifth bit, then 16 bytes of nibbles laid out as Q4_0's; an
 * element is {@code ((nibble | bit << 4) - 16) · d}. 22 bytes per block; activations {@link
 * InputFormat#Q8_0}.
 */
public final class Q5_0Tensor extends BlockTensor {
  Q5_0Tensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q5_0, 32, false, name, data, rows, cols);
  }

  @Override
  public InputFormat inputFormat() {
    return InputFormat.Q8_0;
  }

  static ByteVector group(MemorySegment data, long block, int g) {
    return Vec.nibbles(Vec.bytes16(data, block + 6), g).or(Vec.fifthBits(data, block + 2, g)).sub((byte) 16);
  }
}
