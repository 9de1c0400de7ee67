package org.recycledattention.model.tensor;

import static org.recycledattention.model.tensor.Vec.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml's 32-element nibble types, told apart by constants only: a block is an f16 scale {@code d},
 * for Q4_1/Q5_1 an f16 minimum {@code m}, for Q5_0/Q5_1 a 32-bit word of fifth bits (bit {@code i}
 * is element {@code i}'s), then 16 bytes whose low nibbles are elements 0 to 15 and high nibbles
 * elements 16 to 31. An element is {@code table[nibble] (+ 16 · fifth bit)} times {@code d} (plus
 * {@code m}): the table is the identity (Q4_1, Q5_1), {@code i - 8} (Q4_0), {@code i - 16} (Q5_0)
 * or {@code kvalues_iq4nl} (IQ4_NL). One kernel serves all five.
 */
public abstract sealed class NibbleTensor extends BlockTensor permits Q4_0Tensor, Q4_1Tensor, Q5_0Tensor, Q5_1Tensor, IQ4_NLTensor {
  private final int qs;
  private final int qh;
  private final ByteVector table;
  private final boolean minimum;

  /**
   * @param qs offset of the 16 nibble bytes in a block
   * @param qh offset of the fifth-bit word, or -1
   * @param table the value of each nibble
   */
  NibbleTensor(GgmlType type, InputFormat format, int qs, int qh, ByteVector table, String name, MemorySegment data, int rows, int cols) {
    super(type, format, 32, format == InputFormat.Q8_1, name, data, rows, cols);
    this.qs = qs;
    this.qh = qh;
    this.table = table;
    this.minimum = format == InputFormat.Q8_1;
  }

  @Override
  final ByteVector group(long block, int g) {
    Vec.touch(data, block);
    ByteVector values = Vec.nibbles(Vec.bytes16(data, block + qs), g).selectFrom(table);
    return qh < 0 ? values : values.add(Vec.fifthBits(data, block + qh, g));
  }

  @Override
  final float kernel(long rowOffset, Input x, int xOffset) {
    Vec.touch(data, rowOffset);
    float[] v = x.values;
    int blockBytes = type().blockBytes();
    FloatVector acc = FloatVector.zero(F);
    float offsets = 0f;
    for (int b = 0; b < blocks(); b++) {
      long block = rowOffset + (long) blockBytes * b;
      int xb = xOffset + 32 * b;
      ByteVector q = Vec.bytes16(data, block + qs);
      ByteVector lo = Vec.nibbles(q, 0).selectFrom(table);
      ByteVector hi = Vec.nibbles(q, 1).selectFrom(table);
      if (qh >= 0) {
        lo = lo.add(Vec.fifthBits(data, block + qh, 0));
        hi = hi.add(Vec.fifthBits(data, block + qh, 1));
      }
      acc = Vec.addScaled(acc, Vec.dot32(lo, hi, v, xb), Vec.f16(data, block));
      if (minimum) {
        offsets += Vec.f16(data, block + 2) * x.sums32[xb / 32];
      }
    }
    return acc.reduceLanes(VectorOperators.ADD) + offsets;
  }
}
