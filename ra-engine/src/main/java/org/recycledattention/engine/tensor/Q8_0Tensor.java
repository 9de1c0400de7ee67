package org.recycledattention.engine.tensor;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;

/**
 * GGML {@code Q8_0}: blocks of 32 elements, each an f16 scale {@code d} followed by 32 signed bytes
 * {@code q}; element {@code i} of a block is {@code q[i] · d}. 34 bytes per block; activations
 * {@link InputFormat#Q8_0}.
 */
public final class Q8_0Tensor extends BlockTensor {
  Q8_0Tensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q8_0, 32, false, name, data, rows, cols);
  }

  @Override
  public InputFormat inputFormat() {
    return InputFormat.Q8_0;
  }

  static ByteVector group(MemorySegment data, long block, int g) {
    return Vec.bytes16(data, block + 2 + 16 * g);
  }
}
