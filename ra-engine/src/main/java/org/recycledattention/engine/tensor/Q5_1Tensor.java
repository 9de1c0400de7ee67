package org.recycledattention.engine.tensor;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;

/**
 * GGML {@code Q5_1}: blocks of 32 elements: f16 scale {@code d}, f16 minimum {@code m}, the fifth
 * bits and nibbles as in Q5_0; an element is {@code (nibble | bit << 4) · d + m}. 24 bytes per
 * block; activations {@link InputFormat#Q8_1}, whose block sums {@code s} carry the minimum term.
 */
public final class Q5_1Tensor extends BlockTensor {
  Q5_1Tensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q5_1, 32, true, name, data, rows, cols);
  }

  @Override
  public InputFormat inputFormat() {
    return InputFormat.Q8_1;
  }

  static ByteVector group(MemorySegment data, long block, int g) {
    return Vec.nibbles(Vec.bytes16(data, block + 8), g).or(Vec.fifthBits(data, block + 4, g));
  }
}
