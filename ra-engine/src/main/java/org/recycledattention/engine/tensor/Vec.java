package org.recycledattention.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Shared Vector API species and conversions of the tensor kernels. */
final class Vec {
  private Vec() {}

  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  static final int FL = F.length();
  static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
  /** Shorts with as many lanes as {@link #F}. */
  static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
  static final boolean WIDE = F.vectorBitSize() >= 256;
  static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
  static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
  static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

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
    // sign-extended: every use below masks the bits it needs
    IntVector h = (IntVector) halves.castShape(I, 0);
    // exponent and mantissa moved to f32 position read as a float are the value times 2^-112, for
    // normal and subnormal halves alike (a subnormal half becomes a subnormal float): rescale exactly
    FloatVector magnitude = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f);
    IntVector bits = magnitude.reinterpretAsInts();
    VectorMask<Integer> special = h.and(0x7C00).eq(0x7C00);
    if (special.anyTrue()) {
      // infinity and NaN keep an all-ones exponent
      bits = bits.blend(h.and(0x3FF).lanewise(VectorOperators.LSHL, 13).or(0x7F800000), special);
    }
    return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
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

  static float bf16(MemorySegment s, long offset) {
    return Float.intBitsToFloat((s.get(SHORT, offset) & 0xFFFF) << 16);
  }
}
