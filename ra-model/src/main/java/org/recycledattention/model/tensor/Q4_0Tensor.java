package org.recycledattention.model.tensor;

import static org.recycledattention.model.tensor.Vec.F;
import static org.recycledattention.model.tensor.Vec.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML {@code Q4_0}: blocks of 32 elements, each an f16 scale {@code d} followed by 16 bytes of
 * nibbles. Byte {@code i} holds element {@code i} in its low nibble and element {@code i + 16} in
 * its high nibble; an element is {@code (nibble - 8) · d}. 18 bytes per block.
 */
public final class Q4_0Tensor implements FloatTensor {
  static final int BLOCK = 32;
  static final int BLOCK_BYTES = 18;

  private final String name;
  private final MemorySegment data;
  private final int rows;
  private final int cols;
  private final long rowBytes;

  Q4_0Tensor(String name, MemorySegment data, int rows, int cols) {
    this.name = name;
    this.data = data;
    this.rows = rows;
    this.cols = cols;
    this.rowBytes = (long) cols / BLOCK * BLOCK_BYTES;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public GgmlType type() {
    return GgmlType.Q4_0;
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cols() {
    return cols;
  }

  @Override
  public float get(long index) {
    long block = (index / BLOCK) * BLOCK_BYTES;
    int within = (int) (index % BLOCK);
    int packed = data.get(ValueLayout.JAVA_BYTE, block + 2 + (within & 15)) & 0xFF;
    int nibble = within < 16 ? packed & 0xF : packed >>> 4;
    return (nibble - 8) * Vec.f16(data, block);
  }

  @Override
  public float dot(int row, float[] x, int xOffset) {
    long base = row * rowBytes;
    Vec.touch(data, base);
    int blocks = cols / BLOCK;
    return switch (F.vectorBitSize()) {
      case 512 -> dot512(base, blocks, x, xOffset);
      case 256 -> dot256(base, blocks, x, xOffset);
      default -> dotScalar(base, blocks, x, xOffset);
    };
  }

  private float dot512(long base, int blocks, float[] x, int xOffset) {
    FloatVector acc = FloatVector.zero(F);
    for (int b = 0; b < blocks; b++) {
      long off = base + (long) b * BLOCK_BYTES;
      int j = xOffset + b * BLOCK;
      ByteVector packed = ByteVector.fromMemorySegment(ByteVector.SPECIES_128, data, off + 2, LE);
      ByteVector lo = packed.and((byte) 0xF).sub((byte) 8);
      ByteVector hi = packed.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
      FloatVector s = FloatVector.fromArray(F, x, j).mul(lo.castShape(F, 0));
      s = FloatVector.fromArray(F, x, j + 16).fma(hi.castShape(F, 0), s);
      acc = s.fma(FloatVector.broadcast(F, Vec.f16(data, off)), acc);
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  private float dot256(long base, int blocks, float[] x, int xOffset) {
    FloatVector acc = FloatVector.zero(F);
    for (int b = 0; b < blocks; b++) {
      long off = base + (long) b * BLOCK_BYTES;
      int j = xOffset + b * BLOCK;
      ByteVector packed = ByteVector.fromMemorySegment(ByteVector.SPECIES_128, data, off + 2, LE);
      ByteVector lo = packed.and((byte) 0xF).sub((byte) 8);
      ByteVector hi = packed.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
      FloatVector s = FloatVector.fromArray(F, x, j).mul(lo.castShape(F, 0));
      s = FloatVector.fromArray(F, x, j + 8).fma(lo.castShape(F, 1), s);
      s = FloatVector.fromArray(F, x, j + 16).fma(hi.castShape(F, 0), s);
      s = FloatVector.fromArray(F, x, j + 24).fma(hi.castShape(F, 1), s);
      acc = s.fma(FloatVector.broadcast(F, Vec.f16(data, off)), acc);
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  private float dotScalar(long base, int blocks, float[] x, int xOffset) {
    float result = 0f;
    for (int b = 0; b < blocks; b++) {
      long off = base + (long) b * BLOCK_BYTES;
      int j = xOffset + b * BLOCK;
      float s = 0f;
      for (int i = 0; i < 16; i++) {
        int packed = data.get(ValueLayout.JAVA_BYTE, off + 2 + i) & 0xFF;
        s += ((packed & 0xF) - 8) * x[j + i] + ((packed >>> 4) - 8) * x[j + i + 16];
      }
      result += s * Vec.f16(data, off);
    }
    return result;
  }

  @Override
  public void dotRows(float[] x, int xOffset, float[] out, int outOffset, int from, int to) {
    for (int r = from; r < to; r++) {
      out[outOffset + r] = dot(r, x, xOffset);
    }
  }

  @Override
  public void dotRowsBatch(float[] x, int n, float[] out, int from, int to) {
    // tiles of inputs small enough to stay in L2 while the rows stream past
    for (int t0 = 0; t0 < n; t0 += MatMul.BATCH_TILE) {
      int t1 = Math.min(n, t0 + MatMul.BATCH_TILE);
      for (int r = from; r < to; r++) {
        for (int t = t0; t < t1; t++) {
          out[t * rows + r] = dot(r, x, t * cols);
        }
      }
    }
  }

  @Override
  public void copyRow(int row, float[] dst, int dstOffset) {
    long base = row * rowBytes;
    for (int b = 0; b < cols / BLOCK; b++) {
      long off = base + (long) b * BLOCK_BYTES;
      float d = Vec.f16(data, off);
      int j = dstOffset + b * BLOCK;
      for (int i = 0; i < 16; i++) {
        int packed = data.get(ValueLayout.JAVA_BYTE, off + 2 + i) & 0xFF;
        dst[j + i] = ((packed & 0xF) - 8) * d;
        dst[j + i + 16] = ((packed >>> 4) - 8) * d;
      }
    }
  }
}
