package org.recycledattention.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;

/**
 * GGML {@code IQ4_XS}: super-blocks of 256 elements: f16 {@code d}, a 16-bit word of the scales'
 * high bits, 4 bytes of the scales' low nibbles, then 8 sub-blocks of 32 elements, each 16 bytes of
 * nibbles laid out as Q4_0's that index {@code kvalues_iq4nl}. Sub-block {@code i}'s 6-bit scale
 * {@code ls} (low nibble from byte {@code i / 2}, high bits {@code 2i, 2i+1} of the word) gives the
 * element {@code d · (ls - 32) · table[nibble]}. 136 bytes per block; activations {@link
 * InputFormat#Q8_K}.
 */
public final class IQ4_XSTensor extends BlockTensor {
  IQ4_XSTensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.IQ4_XS, 32, false, name, data, rows, cols);
  }

  @Override
  public InputFormat inputFormat() {
    return InputFormat.Q8_K;
  }

  static ByteVector group(MemorySegment data, long block, int g) {
    return Vec.iq4(Vec.nibbles(Vec.bytes16(data, block + 8 + 16 * (g / 2)), g % 2));
  }

  static void scales(MemorySegment data, long block, float[] scale) {
    float d = Vec.f16(data, block);
    int high = data.get(Vec.SHORT, block + 2) & 0xFFFF;
    int low = data.get(Vec.INT, block + 4);
    for (int i = 0; i < 8; i++) {
      scale[i] = d * ((((low >>> (4 * i)) & 0xF) | (((high >>> (2 * i)) & 3) << 4)) - 32);
    }
  }
}
