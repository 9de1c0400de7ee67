package org.recycledattention.engine.tensor;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;

/**
 * GGML {@code Q4_0}: blocks of 32 elements, each an f16 scale {@code d} followed by 16 bytes of
 * nibbles. Byte {@code i} holds element {@code i} in its low nibble and element {@code i + 16} in
 * its high nibble; an element is {@code (nibble - 8) · d}. 18 bytes per block; activations
 * {@link InputFormat#Q8_0}.
 */
public final class Q4_0Tensor extends BlockTensor {
  Q4_0Tensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q4_0, 32, false, name, data, rows, cols);
  }

  @Override
  public InputFormat inputFormat() {
    return InputFormat.Q8_0;
  }

  static ByteVector group(MemorySegment data, long block, int g) {
    return Vec.nibbles(Vec.bytes16(data, block + 2), g).sub((byte) 8);
  }
}
