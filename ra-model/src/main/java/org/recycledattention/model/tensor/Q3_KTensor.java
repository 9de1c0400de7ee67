package org.recycledattention.model.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;

/**
 * GGML {@code Q3_K}: super-blocks of 256 elements in 16 sub-blocks of 16: 32 bytes of high bits
 * ({@code hmask}), 64 bytes of low 2-bit values, 12 bytes of 6-bit scales, f16 {@code d}. The low
 * bits are laid out as Q2_K's; element {@code 128·half + 32j + l} takes its high bit from bit
 * {@code 4·half + j} of {@code hmask[l]}, and is {@code q - 4} when that bit is clear, {@code q}
 * when set. The scales are unpacked as ggml does ({@code kmask1/kmask2}) and biased by 32: {@code d ·
 * (scale - 32) · value}. 110 bytes per block; activations {@link InputFormat#Q8_K}.
 */
public final class Q3_KTensor extends BlockTensor {
  Q3_KTensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q3_K, InputFormat.Q8_K, 16, false, name, data, rows, cols);
  }

  @Override
  ByteVector group(long block, int g) {
    Vec.touch(data, block);
    int half = g / 8;
    int j = g % 8 / 2;
    ByteVector low = Vec.shiftRight(Vec.bytes16(data, block + 32 + 32 * half + 16 * (g % 2)), 2 * j).and((byte) 3);
    return low.or(Vec.field(Vec.bytes16(data, block + 16 * (g % 2)), 4 * half + j, 2, 4)).sub((byte) 4);
  }

  @Override
  float kernel(long rowOffset, Input x, int xOffset) {
    return Q2_KTensor.dot(data, rowOffset, blocks(), true, x, xOffset);
  }

  /**
   * Sub-block {@code g}'s scale, {@code scale - 32}, unpacked as ggml does ({@code kmask1/kmask2}):
   * the low 4 bits of scales 0 to 7 are the low nibbles of bytes 0 to 7, of scales 8 to 15 the high
   * nibbles; their top 2 bits are bits {@code 2(g / 4), 2(g / 4) + 1} of byte {@code 8 + g % 4}.
   */
  static int scale(MemorySegment data, long block, int g) {
    int low = (data.get(ValueLayout.JAVA_BYTE, block + 96 + g % 8) & 0xFF) >>> (4 * (g / 8));
    int top = (data.get(ValueLayout.JAVA_BYTE, block + 104 + g % 4) & 0xFF) >>> (2 * (g / 4));
    return ((low & 0xF) | ((top & 3) << 4)) - 32;
  }

  @Override
  void scales(long block, float[] scale, float[] min) {
    float d = Vec.f16(data, block + 108);
    for (int s = 0; s < 16; s++) {
      scale[s] = d * scale(data, block, s);
    }
  }
}
