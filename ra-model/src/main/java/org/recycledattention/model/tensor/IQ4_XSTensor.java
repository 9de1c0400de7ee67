package org.recycledattention.model.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

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
    super(GgmlType.IQ4_XS, InputFormat.Q8_K, 32, false, name, data, rows, cols);
  }

  @Override
  float kernel(long rowOffset, Input x, int xOffset) {
    Vec.touch(data, rowOffset);
    FloatVector acc = FloatVector.zero(Vec.F);
    for (int b = 0; b < blocks(); b++) {
      long block = rowOffset + 136L * b;
      float d = Vec.f16(data, block);
      for (int s = 0; s < 8; s++) {
        ByteVector q = Vec.bytes16(data, block + 8 + 16 * s);
        FloatVector sum = Vec.dot32(Vec.iq4(Vec.nibbles(q, 0)), Vec.iq4(Vec.nibbles(q, 1)), x.values, xOffset + 256 * b + 32 * s);
        acc = Vec.addScaled(acc, sum, d * scale(block, s));
      }
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  @Override
  ByteVector group(long block, int g) {
    Vec.touch(data, block);
    return Vec.iq4(Vec.nibbles(Vec.bytes16(data, block + 8 + 16 * (g / 2)), g % 2));
  }

  /** Sub-block {@code s}'s 6-bit scale minus 32: its low nibble from byte {@code s / 2} of {@code scales_l}, bits {@code 2s, 2s + 1} of {@code scales_h} above. */
  private int scale(long block, int s) {
    int low = data.get(ValueLayout.JAVA_BYTE, block + 4 + s / 2) >>> (4 * (s % 2));
    int high = data.get(Vec.SHORT, block + 2) >>> (2 * s);
    return ((low & 0xF) | ((high & 3) << 4)) - 32;
  }

  @Override
  void scales(long block, float[] scale, float[] min) {
    for (int s = 0; s < 8; s++) {
      scale[s] = Vec.f16(data, block) * scale(block, s);
    }
  }
}
