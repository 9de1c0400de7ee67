package org.recycledattention.engine.tensor;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;

/**
 * GGML {@code Q4_K}: super-blocks of 256 elements in 8 sub-blocks of 32: f16 {@code d} and {@code
 * dmin}, 12 bytes of 6-bit scales and minimums (ggml's {@code get_scale_min_k4}), then 128 bytes of
 * nibbles: each 64 elements take 32 bytes, low nibbles first (sub-block {@code 2p}), then high
 * nibbles (sub-block {@code 2p + 1}). An element is {@code d · scale · q - dmin · min}. 144 bytes
 * per block; activations {@link InputFormat#Q8_K}.
 */
public final class Q4_KTensor extends BlockTensor {
  Q4_KTensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q4_K, 32, true, name, data, rows, cols);
  }

  @Override
  public InputFormat inputFormat() {
    return InputFormat.Q8_K;
  }

  static ByteVector group(MemorySegment data, long block, int g) {
    return nibbles(data, block + 16, g);
  }

  /** Group {@code g}'s nibbles from the 128 bytes at {@code qs}, as Q4_K and Q5_K lay them out. */
  static ByteVector nibbles(MemorySegment data, long qs, int g) {
    int sub = g / 2;
    return Vec.nibbles(Vec.bytes16(data, qs + 32 * (sub / 2) + 16 * (g % 2)), sub % 2);
  }

  /** Q4_K's and Q5_K's scales and minimums: {@code d · scale} and {@code -dmin · min} per sub-block. */
  static void scales(MemorySegment data, long block, float[] scale, float[] min) {
    float d = Vec.f16(data, block);
    float dmin = Vec.f16(data, block + 2);
    int s0 = data.get(Vec.INT, block + 4);
    int s1 = data.get(Vec.INT, block + 8);
    int s2 = data.get(Vec.INT, block + 12);
    // bytes 0..3 hold scales 0..3 and bytes 4..7 minimums 0..3 in their low 6 bits; scales and
    // minimums 4..7 are the nibbles of bytes 8..11 with the top 2 bits of bytes 0..3 / 4..7 above them
    int scales = s0 & 0x3F3F3F3F;
    int mins = s1 & 0x3F3F3F3F;
    int scalesHigh = (s2 & 0x0F0F0F0F) | ((s0 >>> 2) & 0x30303030);
    int minsHigh = ((s2 >>> 4) & 0x0F0F0F0F) | ((s1 >>> 2) & 0x30303030);
    for (int s = 0; s < 4; s++) {
      scale[s] = d * ((scales >>> (8 * s)) & 0xFF);
      scale[s + 4] = d * ((scalesHigh >>> (8 * s)) & 0xFF);
      min[s] = -(dmin * ((mins >>> (8 * s)) & 0xFF));
      min[s + 4] = -(dmin * ((minsHigh >>> (8 * s)) & 0xFF));
    }
  }
}
