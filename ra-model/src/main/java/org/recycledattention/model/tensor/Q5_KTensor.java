package org.recycledattention.model.tensor;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML {@code Q5_K}: Q4_K with a fifth bit: f16 {@code d} and {@code dmin}, the 12 bytes of scales
 * and minimums, 32 bytes of high bits ({@code qh}), then 128 bytes of nibbles laid out as Q4_K's.
 * Element {@code 32s + l} of sub-block {@code s} takes bit {@code s} of {@code qh[l]} as its fifth
 * bit: {@code d · scale · (nibble + 16·bit) - dmin · min}. 176 bytes per block; activations {@link
 * InputFormat#Q8_K}.
 */
public final class Q5_KTensor extends BlockTensor {
  Q5_KTensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q5_K, InputFormat.Q8_K, 32, true, name, data, rows, cols);
  }

  @Override
  void scales(long block, float[] scale, float[] min) {
    Q4_KTensor.scales(data, block, scale, min);
  }

  @Override
  float kernel(long rowOffset, Input x, int xOffset) {
    return Q4_KTensor.dot(data, rowOffset, blocks(), 176, 48, x, xOffset) + fifthBits(rowOffset, x, xOffset);
  }

  /** The fifth bits' share of the dot product: {@code Σ d · scale · 16 · bit · x}. */
  private float fifthBits(long row, Input x, int xOffset) {
    Vec.touch(data, row);
    FloatVector acc = FloatVector.zero(Vec.F);
    for (int b = 0; b < blocks(); b++) {
      long block = row + 176L * b;
      float d16 = 16 * Vec.f16(data, block);
      long scales = Q4_KTensor.packed(data, block, false);
      for (int s = 0; s < 8; s++) {
        ByteVector bits0 = Vec.ifBits(Vec.bytes16(data, block + 16), 1 << s, 1);
        ByteVector bits1 = Vec.ifBits(Vec.bytes16(data, block + 32), 1 << s, 1);
        acc = Vec.addScaled(acc, Vec.dot32(bits0, bits1, x.values, xOffset + 256 * b + 32 * s), d16 * (int) ((scales >>> (8 * s)) & 0xFF));
      }
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  @Override
  ByteVector group(long block, int g) {
    Vec.touch(data, block);
    ByteVector fifth = Vec.field(Vec.bytes16(data, block + 16 + 16 * (g % 2)), g / 2, 4, 16);
    return Q4_KTensor.nibbles(data, block + 48, g).or(fifth);
  }
}
