package org.recycledattention.backend.onnx;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Keys and values of every KV head of one store (a layer's main store or its partial cache) in
 * native memory, f32, head-major with a capacity stride: row {@code r} of head {@code h} starts at
 * float {@code (h * capacity + r) * headDim}. So the first {@code n} rows of one head are
 * contiguous and are handed to ONNX Runtime as an {@code [n, headDim]} tensor without a copy
 * ({@link #keys}, {@link #values}); no graph ever sees the spare capacity.
 *
 * <p>Memory comes from a shared {@link Arena} per allocation and is freed deterministically on
 * {@link #resize} and {@link #close} (not when the garbage collector gets to a direct buffer).
 * Row positions are kept on the heap, one array per head.
 *
 * <p><b>NOTE:</b> not thread-safe. A view returned by {@link #keys}/{@link #values} dangles after
 * the next {@code resize} or {@code close}; callers close the tensors that wrap it first.
 */
final class NativeRows implements AutoCloseable {
  private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;

  private final int heads;
  private final int dim;
  private Arena arena;
  private MemorySegment keys;
  private MemorySegment values;
  private int[][] positions;
  private int capacity;
  /** Rows in use, the same for every head. */
  int length;

  NativeRows(int heads, int dim, int capacity) {
    this.heads = heads;
    this.dim = dim;
    this.positions = new int[heads][0];
    resize(capacity);
  }

  int capacity() {
    return capacity;
  }

  /**
   * Reallocates to {@code newCapacity} rows per head, keeping the first {@code min(length,
   * newCapacity)} rows of every head, and frees the old memory.
   */
  void resize(int newCapacity) {
    if (newCapacity < 0) {
      throw new IllegalArgumentException("capacity must be >= 0, got " + newCapacity);
    }
    int keep = Math.min(length, newCapacity);
    long bytes = Math.max(1L, (long) heads * newCapacity * dim * Float.BYTES);
    Arena fresh = Arena.ofShared();
    MemorySegment k;
    MemorySegment v;
    try {
      k = fresh.allocate(bytes, 64);
      v = fresh.allocate(bytes, 64);
    } catch (RuntimeException | OutOfMemoryError e) {
      fresh.close();
      throw e;
    }
    int[][] pos = new int[heads][newCapacity];
    if (arena != null) {
      long rowBytes = (long) dim * Float.BYTES;
      for (int h = 0; h < heads; h++) {
        MemorySegment.copy(keys, (long) h * capacity * rowBytes, k, (long) h * newCapacity * rowBytes, keep * rowBytes);
        MemorySegment.copy(values, (long) h * capacity * rowBytes, v, (long) h * newCapacity * rowBytes, keep * rowBytes);
        System.arraycopy(positions[h], 0, pos[h], 0, keep);
      }
      arena.close();
    }
    arena = fresh;
    keys = k;
    values = v;
    positions = pos;
    capacity = newCapacity;
    length = keep;
  }

  private long offset(int head, int row) {
    return ((long) head * capacity + row) * dim * Float.BYTES;
  }

  /** Writes one row of head {@code head} from token-major host arrays. */
  void put(int head, int row, float[] k, int kOffset, float[] v, int vOffset, int position) {
    MemorySegment.copy(k, kOffset, keys, F32, offset(head, row), dim);
    MemorySegment.copy(v, vOffset, values, F32, offset(head, row), dim);
    positions[head][row] = position;
  }

  /** Moves row {@code from} of {@code head} over row {@code to} (swap-remove, compaction). */
  void move(int head, int from, int to) {
    long rowBytes = (long) dim * Float.BYTES;
    MemorySegment.copy(keys, offset(head, from), keys, offset(head, to), rowBytes);
    MemorySegment.copy(values, offset(head, from), values, offset(head, to), rowBytes);
    positions[head][to] = positions[head][from];
  }

  /** Copies row {@code srcRow} of {@code head} in {@code src} to row {@code dstRow} here. */
  void copyFrom(NativeRows src, int head, int srcRow, int dstRow) {
    long rowBytes = (long) dim * Float.BYTES;
    MemorySegment.copy(src.keys, src.offset(head, srcRow), keys, offset(head, dstRow), rowBytes);
    MemorySegment.copy(src.values, src.offset(head, srcRow), values, offset(head, dstRow), rowBytes);
    positions[head][dstRow] = src.positions[head][srcRow];
  }

  int position(int head, int row) {
    return positions[head][row];
  }

  /** The first {@code rows} keys of {@code head}: a direct, native-order view of {@code rows × dim} floats. */
  FloatBuffer keys(int head, int rows) {
    return view(keys, head, rows);
  }

  /** The first {@code rows} values of {@code head}, as {@link #keys}. */
  FloatBuffer values(int head, int rows) {
    return view(values, head, rows);
  }

  private FloatBuffer view(MemorySegment segment, int head, int rows) {
    return segment.asSlice(offset(head, 0), (long) rows * dim * Float.BYTES).asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  /** Reads one stored float (tests and the slow paths). */
  float key(int head, int row, int i) {
    return keys.getAtIndex(F32, offset(head, row) / Float.BYTES + i);
  }

  float value(int head, int row, int i) {
    return values.getAtIndex(F32, offset(head, row) / Float.BYTES + i);
  }

  /** Native bytes reserved (both stores, all heads, spare capacity included). */
  long reservedBytes() {
    return 2L * heads * capacity * dim * Float.BYTES;
  }

  @Override
  public void close() {
    if (arena != null) {
      arena.close();
      arena = null;
      keys = null;
      values = null;
      positions = new int[heads][0];
      capacity = 0;
      length = 0;
    }
  }
}
