package org.recycledattention.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;

/**
 * GGML {@code Q2_K}: super-blocks of 256 elements in 16 sub-blocks of 16: 16 bytes of 4-bit scales
 * (low nibble) and minimums (high nibble), 64 bytes of 2-bit values, f16 {@code d} and {@code
 * dmin}. Each half (128 elements) takes 32 bytes of values: element {@code 32j + l} ({@code l <
 * 32}) is bits {@code 2j, 2j+1} of byte {@code l}, and sub-block {@code 8·half + 2j + l / 16} scales
 * it: {@code d · scale · q - dmin · min}. 84 bytes per block; activations {@link InputFormat#Q8_K}.
 */
public final class Q2_KTensor extends BlockTensor {
  Q2_KTensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q2_K, 16, true, name, data, rows, cols);
  }

  @Override
  public InputFormat inputFormat() {
    return InputFormat.Q8_K;
  }

  static ByteVector group(MemorySegment data, long block, int g) {
    int half = g / 8;
    int j = g % 8 / 2;
    return Vec.shiftRight(Vec.bytes16(data, block + 16 + 32 * half + 16 * (g % 2)), 2 * j).and((byte) 3);
  }

  static void scales(MemorySegment data, long block, float[] scale, float[] min) {
    float d = Vec.f16(data, block + 80);
    float dmin = Vec.f16(data, block + 82);
    for (int s = 0; s < 16; s++) {
      int sc = data.get(ValueLayout.JAVA_BYTE, block + s) & 0xFF;
      scale[s] = d * (sc & 0xF);
      min[s] = -(dmin * (sc >>> 4));
    }
  }
}
