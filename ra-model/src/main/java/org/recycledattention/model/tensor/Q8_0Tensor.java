package org.recycledattention.model.tensor;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.LSHL;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * GGML {@code Q8_0}: blocks of 32 elements, each an f16 scale {@code d} followed by 32 signed bytes
 * {@code q}; element {@code i} of a block is {@code q[i] · d}. 34 bytes per block; activations
 * {@link InputFormat#Q8_0}.
 *
 * <p>The kernel ({@code integers}, with 512-bit vectors) computes what ggml's {@code
 * ggml_vec_dot_q8_0_q8_0} computes: per block the exact integer sum of the 32 products of quantized
 * weights and quantized activations ({@link Input}'s bytes), times {@code d_w · d_x} in f32. Two
 * blocks per step: their 64 weight bytes and 64 activation bytes widened to shorts and multiplied
 * (|product| <= 128 · 127, so a sum of two fits a short); the 256-bit halves of the two blocks'
 * products regrouped so that one add leaves each block's pair sums in one half; each pair of shorts
 * summed into an int (8 int lanes per block, each the exact sum of 4 products); one conversion to
 * f32 and one fused multiply-add by the two blocks' scales. It reads 34 bytes of weights and 32 of
 * activations per block (the f32 kernel: 128 of activations) and streams a 1B model's weights from
 * DRAM at about 40 GB/s with 2 threads, against 20 for the f32 kernel (README, "The 1B shape").
 * Without 512-bit vectors, and for the unquantized reference {@link #dot}, the kernel is {@code
 * floats}: the weights converted to f32 lanes against the activations' f32 values, times a
 * broadcast scale.
 */
public final class Q8_0Tensor extends BlockTensor {
  private static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;
  /** Of two blocks' products as 8 + 8 longs: the low 256-bit halves of both, and the high halves. */
  private static final VectorShuffle<Long> LOW_HALVES =
      VectorShuffle.fromValues(LongVector.SPECIES_512, 0, 1, 2, 3, 8, 9, 10, 11);
  private static final VectorShuffle<Long> HIGH_HALVES =
      VectorShuffle.fromValues(LongVector.SPECIES_512, 4, 5, 6, 7, 12, 13, 14, 15);
  /** Float lanes 8 to 15: the second block of a step. */
  private static final VectorMask<Float> SECOND_BLOCK = VectorMask.fromLong(Vec.F, 0xFF00L);

  Q8_0Tensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.Q8_0, InputFormat.Q8_0, 32, false, name, data, rows, cols);
  }

  @Override
  float kernel(long rowOffset, Input x, int xOffset) {
    return Vec.GROUP_LANES && x.format() == InputFormat.Q8_0 ? integers(rowOffset, x, xOffset)
        : floats(rowOffset, x, xOffset);
  }

  private float integers(long rowOffset, Input x, int xOffset) {
    Vec.touch(data, rowOffset);
    byte[] q = x.q8Bytes;
    float[] dx = x.q8Scale;
    FloatVector acc = FloatVector.zero(Vec.F);
    int blocks = blocks();
    int b = 0;
    for (; b + 1 < blocks; b += 2) {
      long block = rowOffset + 34L * b;
      int xb = xOffset + 32 * b;
      LongVector p0 = ((ShortVector) ByteVector.fromMemorySegment(B32, data, block + 2, Vec.LE).castShape(Vec.S32, 0))
          .mul((ShortVector) ByteVector.fromArray(B32, q, xb).castShape(Vec.S32, 0)).reinterpretAsLongs();
      LongVector p1 = ((ShortVector) ByteVector.fromMemorySegment(B32, data, block + 36, Vec.LE).castShape(Vec.S32, 0))
          .mul((ShortVector) ByteVector.fromArray(B32, q, xb + 32).castShape(Vec.S32, 0)).reinterpretAsLongs();
      IntVector pairs = p0.rearrange(LOW_HALVES, p1).reinterpretAsShorts()
          .add(p0.rearrange(HIGH_HALVES, p1).reinterpretAsShorts()).reinterpretAsInts();
      IntVector sums = pairs.lanewise(LSHL, 16).lanewise(ASHR, 16).add(pairs.lanewise(ASHR, 16));
      FloatVector d = FloatVector.broadcast(Vec.F, Vec.f16(data, block) * dx[xb / 32])
          .blend(Vec.f16(data, block + 34) * dx[xb / 32 + 1], SECOND_BLOCK);
      acc = ((FloatVector) sums.castShape(Vec.F, 0)).fma(d, acc);
    }
    float r = acc.reduceLanes(VectorOperators.ADD);
    if (b < blocks) {
      // an odd block count: the last block in scalar code
      long block = rowOffset + 34L * b;
      int xb = xOffset + 32 * b;
      int s = 0;
      for (int i = 0; i < 32; i++) {
        s += data.get(ValueLayout.JAVA_BYTE, block + 2 + i) * q[xb + i];
      }
      r += s * (Vec.f16(data, block) * dx[xb / 32]);
    }
    return r;
  }

  /**
   * The f32 kernel. The loop counts bytes in a long: with an int block index C2 sometimes unrolled it
   * 8 times, and that loop streamed from DRAM at 2/3 of the speed.
   */
  private float floats(long rowOffset, Input x, int xOffset) {
    Vec.touch(data, rowOffset);
    FloatVector acc = FloatVector.zero(Vec.F);
    long end = rowOffset + 34L * blocks();
    int xb = xOffset;
    for (long block = rowOffset; block < end; block += 34, xb += 32) {
      FloatVector dot = Vec.dot32(Vec.bytes16(data, block + 2), Vec.bytes16(data, block + 18), x.values, xb);
      acc = Vec.addScaled(acc, dot, Vec.f16(data, block));
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  @Override
  ByteVector group(long block, int g) {
    Vec.touch(data, block);
    return Vec.bytes16(data, block + 2 + 16 * g);
  }
}
