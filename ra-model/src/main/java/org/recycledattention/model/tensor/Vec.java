package org.recycledattention.model.tensor;

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

  static float bf16(MemorySegment s, long offset) {
    return Float.intBitsToFloat((s.get(SHORT, offset) & 0xFFFF) << 16);
  }
}
