package org.recycledattention.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;

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
    super(GgmlType.Q6_K, 16, false, name, data, rows, cols);
  }

  @Override
  public InputFormat inputFormat() {
    return InputFormat.Q8_K;
  }

  static ByteVector group(MemorySegment data, long block, int g) {
    int half = g / 8;
    int c = g % 8 / 2;
    int l = 16 * (g % 2);
    ByteVector low = Vec.nibbles(Vec.bytes16(data, block + 64 * half + 32 * (c % 2) + l), c / 2);
    ByteVector high = Vec.field(Vec.bytes16(data, block + 128 + 32 * half + l), 2 * c, 4, 0x30);
    return low.or(high).sub((byte) 32);
  }

  static void scales(MemorySegment data, long block, float[] scale) {
    float d = Vec.f16(data, block + 208);
    for (int s = 0; s < 16; s++) {
      scale[s] = d * data.get(ValueLayout.JAVA_BYTE, block + 192 + s);
    }
  }
}
