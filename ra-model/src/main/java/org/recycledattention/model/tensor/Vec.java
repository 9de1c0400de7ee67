package org.recycledattention.model.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.function.IntUnaryOperator;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** Shared Vector API species and conversions of the tensor kernels. */
final class Vec {
  private Vec() {}

  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  static final int FL = F.length();
  static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
  /** Shorts with as many lanes as {@link #F}. */
  static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
  /** 16 bytes: one group of 16 quantized values. */
  static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
  /**
   * Whether the preferred vectors are 512 bits: the K-quant kernels whose 16 int lanes are a block's
   * 16 groups ({@link #I16}, {@link #S32}) run only then.
   */
  static final boolean GROUP_LANES = FL == 16;
  static final VectorSpecies<Integer> I16 = IntVector.SPECIES_512;
  static final VectorSpecies<Short> S32 = ShortVector.SPECIES_512;
  static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
  static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
  static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
  static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);

  /**
   * Reads the byte at {@code offset} with a plain (scalar) access and discards it. <b>NOTE:</b> every
   * method that reads tensor data with Vector API loads calls this first. A mapped file truncated
   * under a running kernel makes the read fault (SIGBUS); HotSpot turns that fault into an {@link
   * InternalError}, which the model reports as a changed file, only in compiled code that contains a
   * scalar unsafe access: in a method with vector loads only, the JVM crashes. One load of a cache
   * line the kernel reads next is all it costs.
   */
  static void touch(MemorySegment s, long offset) {
    s.get(ValueLayout.JAVA_BYTE, offset);
  }

  static float f16(MemorySegment s, long offset) {
    return Float.float16ToFloat(s.get(SHORT, offset));
  }

  /**
   * {@link #FL} IEEE half floats at {@code offset} as floats, exactly (subnormals, infinities and
   * NaN included), as {@code Float.float16ToFloat} would give them lane by lane.
   */
  static FloatVector halfToFloat(MemorySegment s, long offset) {
    return halfBitsToFloat(ShortVector.fromMemorySegment(S, s, offset, LE));
  }

  /** {@link #halfToFloat} of the lanes of {@code mask} (the others are 0). */
  static FloatVector halfToFloat(MemorySegment s, long offset, VectorMask<Short> mask) {
    return halfBitsToFloat(ShortVector.fromMemorySegment(S, s, offset, LE, mask));
  }

  private static FloatVector halfBitsToFloat(ShortVector halves) {
    IntVector h = (IntVector) halves.castShape(I, 0);
    // (h << 16) >> 3 (arithmetic) puts the exponent and mantissa in f32 position and smears the
    // sign over bits 28..31; clearing 28..30 leaves an f32 equal to the half times 2^-112, for
    // normal and subnormal halves alike (a subnormal half becomes a subnormal float)
    FloatVector value = h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f);
    // the largest finite half is 65504; infinities and NaNs land in [65536, 131072)
    VectorMask<Float> special = value.abs().compare(VectorOperators.GE, 65536f);
    if (special.anyTrue()) {
      IntVector inf = h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFFFFF).or(0x7F800000);
      value = value.blend(inf.reinterpretAsFloats(), special);
    }
    return value;
  }

  /** {@link #FL} bfloat16 values at {@code offset} as floats (exact: the upper half of an f32). */
  static FloatVector bf16ToFloat(MemorySegment s, long offset) {
    return ShortVector.fromMemorySegment(S, s, offset, LE).castShape(I, 0).reinterpretAsInts()
        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
  }

  /** {@link #bf16ToFloat} of the lanes of {@code mask} (the others are 0). */
  static FloatVector bf16ToFloat(MemorySegment s, long offset, VectorMask<Short> mask) {
    return ShortVector.fromMemorySegment(S, s, offset, LE, mask).castShape(I, 0).reinterpretAsInts()
        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
  }

  /**
   * {@code acc + Σ q[i] · x[xOffset + i]} over the 16 lanes of {@code q} (signed bytes, exact as
   * floats), lane-parallel: {@code 16 / FL} fused multiply-adds.
   */
  static FloatVector fma16(ByteVector q, float[] x, int xOffset, FloatVector acc) {
    FloatVector a = acc;
    for (int part = 0; part < 16 / FL; part++) {
      a = ((FloatVector) q.castShape(F, part)).fma(FloatVector.fromArray(F, x, xOffset + part * FL), a);
    }
    return a;
  }

  /** The sum of two groups of 16: {@code Σ lo[i] · x[xo + i] + Σ hi[i] · x[xo + 16 + i]}, lane-parallel. */
  static FloatVector dot32(ByteVector lo, ByteVector hi, float[] x, int xOffset) {
    return fma16(hi, x, xOffset + 16, fma16(lo, x, xOffset, FloatVector.zero(F)));
  }

  /** {@code acc + s · scale}, lane by lane. */
  static FloatVector addScaled(FloatVector acc, FloatVector s, float scale) {
    return s.fma(FloatVector.broadcast(F, scale), acc);
  }

  /** The 16 bytes at {@code offset}. */
  static ByteVector bytes16(MemorySegment s, long offset) {
    return ByteVector.fromMemorySegment(B16, s, offset, LE);
  }

  /**
   * The low nibble of each byte when {@code high} is 0, else the high nibble. Branch-free, like
   * every helper here: a vector chosen by a branch the JIT cannot resolve would be boxed.
   */
  static ByteVector nibbles(ByteVector v, int high) {
    return shiftRight(v, 4 * high).and((byte) 0x0F);
  }

  /**
   * Each byte shifted right by {@code n} (0 to 7) with the next byte's low bits shifted in at the
   * top (a 16-bit shift: x86 has no byte shift); callers keep only bits below {@code 8 - n}.
   */
  static ByteVector shiftRight(ByteVector v, int n) {
    return v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, n).reinterpretAsBytes();
  }

  /**
   * The bits of each byte selected by {@code mask} after moving bit {@code from} to bit {@code to}
   * (both 0 to 7; the mask must not reach past bit 7 or below the move's vacated bits).
   */
  static ByteVector field(ByteVector v, int from, int to, int mask) {
    // down to bit 0, then up to bit to: both shifts in 16-bit lanes, whose spill-over the mask drops
    return v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, from).lanewise(VectorOperators.LSHL, to).reinterpretAsBytes().and((byte) mask);
  }

  /** {@code value} in the lanes where {@code v} has any bit of {@code bits}, else 0 (a bit test: no variable shift, which the Vector API does slowly). */
  static ByteVector ifBits(ByteVector v, int bits, int value) {
    return ByteVector.zero(B16).blend((byte) value, v.and((byte) bits).compare(VectorOperators.NE, (byte) 0));
  }

  private static final ByteVector BIT_OF_LANE = ByteVector.fromArray(B16, new byte[] {1, 2, 4, 8, 16, 32, 64, (byte) 128, 1, 2, 4, 8, 16, 32, 64,
      (byte) 128}, 0);
  private static final VectorShuffle<Byte> SPREAD_LOW = VectorShuffle.fromValues(B16, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
  private static final VectorShuffle<Byte> SPREAD_HIGH = VectorShuffle.fromValues(B16, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);

  /**
   * Q5_0/Q5_1's fifth bits as 16 or 0 per lane: of the 32 bits of the little-endian word at {@code
   * offset} (the 12 bytes after it must be readable), bits {@code 16g .. 16g + 15}.
   */
  static ByteVector fifthBits(MemorySegment s, long offset, int g) {
    ByteVector spread = bytes16(s, offset).rearrange(g == 0 ? SPREAD_LOW : SPREAD_HIGH).and(BIT_OF_LANE);
    return ByteVector.zero(B16).blend((byte) 16, spread.compare(VectorOperators.NE, (byte) 0));
  }

  /** ggml's {@code kvalues_iq4nl}: the 16 values of IQ4_NL and IQ4_XS. */
  static final byte[] IQ4_VALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
  static final ByteVector IQ4_TABLE = ByteVector.fromArray(B16, IQ4_VALUES, 0);
  /** Nibble {@code i} to {@code i}, to {@code i - 8} (Q4_0) and to {@code i - 16} (Q5_0, before its fifth bit adds 16). */
  static final ByteVector NIBBLES = ByteVector.zero(B16).addIndex(1);
  static final ByteVector Q4_0_TABLE = NIBBLES.sub((byte) 8);
  static final ByteVector Q5_0_TABLE = NIBBLES.sub((byte) 16);

  /** Each lane (a nibble, 0 to 15) replaced by its IQ4_NL value. */
  static ByteVector iq4(ByteVector nibbles) {
    return nibbles.selectFrom(IQ4_TABLE);
  }

  /** The 16 int lanes {@code f(0) .. f(15)} (a constant of the group-lane kernels). */
  static IntVector groupLanes(IntUnaryOperator f) {
    int[] v = new int[16];
    for (int g = 0; g < 16; g++) {
      v[g] = f.applyAsInt(g);
    }
    return IntVector.fromArray(I16, v, 0);
  }

  static float bf16(MemorySegment s, long offset) {
    return Float.intBitsToFloat((s.get(SHORT, offset) & 0xFFFF) << 16);
  }
}
