package org.recycledattention.model.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML {@code Q6_K}: super-blocks of 256 elements in 16 sub-blocks of 16: 128 bytes of low nibbles
 * ({@code ql}), 64 bytes of high 2-bit pairs ({@code qh}), 16 signed 8-bit scales, f16 {@code d}.
 * Each half (128 elements) takes 64 bytes of {@code ql} and 32 of {@code qh}: element {@code 32c +
 * l} ({@code c < 4, l < 32}) is the low ({@code c < 2}) or high nibble of {@code ql[l + 32·(c %
 * 2)]} with bits {@code 2c, 2c+1} of {@code qh[l]} above it, minus 32, times {@code d · scale}
 * (sub-block {@code g} has scale {@code g}). 210 bytes per block; activations {@link
 * InputFormat#Q8_K}.
 */
public final class Q6_KTensor extends BlockTensor {
  Q6_KTensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q6_K, InputFormat.Q8_K, 16, false, name, data, rows, cols);
  }

  @Override
  float kernel(long rowOffset, Input x, int xOffset) {
    Vec.touch(data, rowOffset);
    float[] v = x.values;
    FloatVector acc = FloatVector.zero(Vec.F);
    for (int b = 0; b < blocks(); b++) {
      long block = rowOffset + 210L * b;
      float d = Vec.f16(data, block + 208);
      // 8 steps of 16 columns l of one half: each reads ql[l], ql[l + 32] and qh[l] once for the 4 values they hold
      for (int step = 0; step < 8; step++) {
        int half = step / 4;
        int l = 16 * (step % 4);
        long ql = block + 64 * half + (l % 32) + (l / 32) * 32;
        ByteVector h = Vec.bytes16(data, block + 128 + 32 * half + l % 32);
        ByteVector q = Vec.bytes16(data, ql);
        int xo = xOffset + 256 * b + 128 * half + l;
        int g = 8 * half + l / 16;
        acc = Vec.addScaled(acc, Vec.fma16(value(q, h, l / 32 * 2), v, xo, FloatVector.zero(Vec.F)), d * data.get(ValueLayout.JAVA_BYTE, block + 192 + g));
        acc = Vec.addScaled(acc, Vec.fma16(value(Vec.shiftRight(q, 4), h, l / 32 * 2 + 4), v, xo + 64, FloatVector.zero(Vec.F)),
            d * data.get(ValueLayout.JAVA_BYTE, block + 196 + g));
      }
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  /** The 6-bit values (minus 32) of the low nibbles of {@code q} with bits {@code bit, bit + 1} of {@code h} above them. */
  private static ByteVector value(ByteVector q, ByteVector h, int bit) {
    return q.and((byte) 0x0F).or(Vec.field(h, bit, 4, 0x30)).sub((byte) 32);
  }

  @Override
  ByteVector group(long block, int g) {
    Vec.touch(data, block);
    int half = g / 8;
    int c = g % 8 / 2;
    int l = 16 * (g % 2);
    ByteVector low = Vec.nibbles(Vec.bytes16(data, block + 64 * half + 32 * (c % 2) + l), c / 2);
    ByteVector high = Vec.field(Vec.bytes16(data, block + 128 + 32 * half + l), 2 * c, 4, 0x30);
    return low.or(high).sub((byte) 32);
  }

  @Override
  void scales(long block, float[] scale, float[] min) {
    float d = Vec.f16(data, block + 208);
    for (int s = 0; s < 16; s++) {
      scale[s] = d * data.get(ValueLayout.JAVA_BYTE, block + 192 + s);
    }
  }
}
