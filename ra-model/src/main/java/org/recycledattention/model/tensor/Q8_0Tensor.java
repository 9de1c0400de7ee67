package org.recycledattention.model.tensor;

import static org.recycledattention.model.tensor.Vec.F;
import static org.recycledattention.model.tensor.Vec.LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML {@code Q8_0}: blocks of 32 elements, each an f16 scale {@code d} followed by 32 signed bytes
 * {@code q}; element {@code i} of a block is {@code q[i] · d}. 34 bytes per block.
 */
public final class Q8_0Tensor implements FloatTensor {
  static final int BLOCK = 32;
  static final int BLOCK_BYTES = 34;

  private final String name;
  private final MemorySegment data;
  private final int rows;
  private final int cols;
  private final long rowBytes;

  Q8_0Tensor(String name, MemorySegment data, int rows, int cols) {
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
    return GgmlType.Q8_0;
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
    return Vec.f16(data, block) * data.get(ValueLayout.JAVA_BYTE, block + 2 + index % BLOCK);
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
      // two 16-byte loads, each widened whole (part 0): casts of part 1 are not intrinsified everywhere
      ByteVector q0 = ByteVector.fromMemorySegment(ByteVector.SPECIES_128, data, off + 2, LE);
      ByteVector q1 = ByteVector.fromMemorySegment(ByteVector.SPECIES_128, data, off + 18, LE);
      FloatVector s = FloatVector.fromArray(F, x, j).mul(q0.castShape(F, 0));
      s = FloatVector.fromArray(F, x, j + 16).fma(q1.castShape(F, 0), s);
      acc = s.fma(FloatVector.broadcast(F, Vec.f16(data, off)), acc);
    }
    return acc.reduceLanes(VectorOperators.ADD);
  }

  private float dot256(long base, int blocks, float[] x, int xOffset) {
    FloatVector acc = FloatVector.zero(F);
    for (int b = 0; b < blocks; b++) {
      long off = base + (long) b * BLOCK_BYTES;
      int j = xOffset + b * BLOCK;
      FloatVector s = FloatVector.fromArray(F, x, j).mul(ByteVector.fromMemorySegment(ByteVector.SPECIES_64, data, off + 2, LE).castShape(F, 0));
      s = FloatVector.fromArray(F, x, j + 8).fma(ByteVector.fromMemorySegment(ByteVector.SPECIES_64, data, off + 10, LE).castShape(F, 0), s);
      s = FloatVector.fromArray(F, x, j + 16).fma(ByteVector.fromMemorySegment(ByteVector.SPECIES_64, data, off + 18, LE).castShape(F, 0), s);
      s = FloatVector.fromArray(F, x, j + 24).fma(ByteVector.fromMemorySegment(ByteVector.SPECIES_64, data, off + 26, LE).castShape(F, 0), s);
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
      for (int i = 0; i < BLOCK; i++) {
        s += data.get(ValueLayout.JAVA_BYTE, off + 2 + i) * x[j + i];
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
      for (int i = 0; i < BLOCK; i++) {
        dst[dstOffset + b * BLOCK + i] = data.get(ValueLayout.JAVA_BYTE, off + 2 + i) * d;
      }
    }
  }
}
