package org.recycledattention.model.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML {@code Q2_K}: super-blocks of 256 elements in 16 sub-blocks of 16: 16 bytes of 4-bit scales
 * (low nibble) and minimums (high nibble), 64 bytes of 2-bit values, f16 {@code d} and {@code
 * dmin}. Each half (128 elements) takes 32 bytes of values: element {@code 32j + l} ({@code l <
 * 32}) is bits {@code 2j, 2j+1} of byte {@code l}, and sub-block {@code 8·half + 2j + l / 16} scales
 * it: {@code d · scale · q - dmin · min}. 84 bytes per block; activations {@link InputFormat#Q8_K}.
 */
public final class Q2_KTensor extends BlockTensor {
  Q2_KTensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q2_K, InputFormat.Q8_K, 16, true, name, data, rows, cols);
  }

  @Override
  float kernel(long rowOffset, Input x, int xOffset) {
    return dot(data, rowOffset, blocks(), false, x, xOffset);
  }

  /**
   * The kernel of Q2_K ({@code three} false) and Q3_K: 16 groups of 16 2-bit values per block, each
   * with its own scale; Q3_K adds each value's high bit (from {@code hmask}) and subtracts 4, Q2_K
   * subtracts its minimums (through the activations' 16-sums). Branch-free on vectors: Q2_K reads
   * its scale bytes as the "high bits" and drops them.
   */
  static float dot(MemorySegment data, long row, int blocks, boolean three, Input x, int xOffset) {
    Vec.touch(data, row);
    float[] v = x.values;
    int blockBytes = three ? 110 : 84;
    int qs = three ? 32 : 16;
    int high = three ? 4 : 0;
    FloatVector acc = FloatVector.zero(Vec.F);
    float offsets = 0f;
    for (int b = 0; b < blocks; b++) {
      long block = row + (long) blockBytes * b;
      int xb = xOffset + 256 * b;
      float d = Vec.f16(data, block + (three ? 108 : 80));
      float dmin = three ? 0f : Vec.f16(data, block + 82);
      for (int g = 0; g < 16; g++) {
        int half = g / 8;
        int j = g % 8 / 2;
        ByteVector q = Vec.shiftRight(Vec.bytes16(data, block + qs + 32 * half + 16 * (g % 2)), 2 * j).and((byte) 3);
        q = q.or(Vec.ifBits(Vec.bytes16(data, block + 16 * (g % 2)), 1 << (4 * half + j), high)).sub((byte) high);
        int sc = three ? Q3_KTensor.scale(data, block, g) : data.get(ValueLayout.JAVA_BYTE, block + g) & 0xFF;
        acc = Vec.addScaled(acc, Vec.fma16(q, v, xb + 16 * g, FloatVector.zero(Vec.F)), d * (three ? sc : sc & 0xF));
        offsets -= dmin * (sc >>> 4) * x.sums16[xb / 16 + g];
      }
    }
    return acc.reduceLanes(VectorOperators.ADD) + offsets;
  }

  @Override
  ByteVector group(long block, int g) {
    Vec.touch(data, block);
    int half = g / 8;
    int j = g % 8 / 2;
    return Vec.shiftRight(Vec.bytes16(data, block + 16 + 32 * half + 16 * (g % 2)), 2 * j).and((byte) 3);
  }

  @Override
  void scales(long block, float[] scale, float[] min) {
    float d = Vec.f16(data, block + 80);
    float dmin = Vec.f16(data, block + 82);
    for (int s = 0; s < 16; s++) {
      int sc = data.get(ValueLayout.JAVA_BYTE, block + s) & 0xFF;
      scale[s] = d * (sc & 0xF);
      min[s] = -(dmin * (sc >>> 4));
    }
  }
}
