package org.recycledattention.engine.tensor;

import java.lang.foreign.MemorySegment;
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
    super(GgmlType.Q3_K, 16, false, name, data, rows, cols);
  }

  @Override
  public InputFormat inputFormat() {
    return InputFormat.Q8_K;
  }

  static ByteVector group(MemorySegment data, long block, int g) {
    int half = g / 8;
    int j = g % 8 / 2;
    ByteVector low = Vec.shiftRight(Vec.bytes16(data, block + 32 + 32 * half + 16 * (g % 2)), 2 * j).and((byte) 3);
    return low.or(Vec.field(Vec.bytes16(data, block + 16 * (g % 2)), 4 * half + j, 2, 4)).sub((byte) 4);
  }

  static void scales(MemorySegment data, long block, float[] scale) {
    float d = Vec.f16(data, block + 108);
    int a0 = data.get(Vec.INT, block + 96);
    int a1 = data.get(Vec.INT, block + 100);
    int tmp = data.get(Vec.INT, block + 104);
    int[] packed = {
        (a0 & 0x0F0F0F0F) | ((tmp & 0x03030303) << 4),
        (a1 & 0x0F0F0F0F) | (((tmp >>> 2) & 0x03030303) << 4),
        ((a0 >>> 4) & 0x0F0F0F0F) | (((tmp >>> 4) & 0x03030303) << 4),
        ((a1 >>> 4) & 0x0F0F0F0F) | (((tmp >>> 6) & 0x03030303) << 4)};
    for (int s = 0; s < 16; s++) {
      scale[s] = d * (((packed[s / 4] >>> (8 * (s % 4))) & 0xFF) - 32);
    }
  }
}
