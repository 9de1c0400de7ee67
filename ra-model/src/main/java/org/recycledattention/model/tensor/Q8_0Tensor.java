package org.recycledattention.model.tensor;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML {@code Q8_0}: blocks of 32 elements, each an f16 scale {@code d} followed by 32 signed bytes
 * {@code q}; element {@code i} of a block is {@code q[i] · d}. 34 bytes per block; activations
 * {@link InputFormat#Q8_0}.
 */
public final class Q8_0Tensor extends BlockTensor {
  Q8_0Tensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q8_0, InputFormat.Q8_0, 32, false, name, data, rows, cols);
  }

  @Override
  float kernel(long rowOffset, Input x, int xOffset) {
    Vec.touch(data, rowOffset);
    FloatVector acc = FloatVector.zero(Vec.F);
    for (int b = 0; b < blocks(); b++) {
      long block = rowOffset + 34L * b;
      acc = Vec.addScaled(acc, Vec.dot32(Vec.bytes16(data, block + 2), Vec.bytes16(data, block + 18), x.values, xOffset + 32 * b), Vec.f16(data, block));
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  @Override
  ByteVector group(long block, int g) {
    Vec.touch(data, block);
    return Vec.bytes16(data, block + 2 + 16 * g);
  }
}
