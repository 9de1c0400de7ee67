package org.recycledattention.backend.onnx;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * A growable scratch area in native memory (queries, outputs, scores, small int64 arguments),
 * handed to ONNX Runtime as direct buffers. Growing does not keep the contents. Freed by {@link
 * #close()}.
 *
 * <p><b>NOTE:</b> not thread-safe; views dangle after {@link #ensure} grows or {@link #close}.
 */
final class NativeBuffer implements AutoCloseable {
  private Arena arena;
  private MemorySegment segment = MemorySegment.NULL;

  /** Makes room for at least {@code bytes} (grows by 1.5x at least). */
  MemorySegment ensure(long bytes) {
    if (segment.byteSize() < bytes) {
      long size = Math.max(bytes, segment.byteSize() + (segment.byteSize() >> 1));
      Arena fresh = Arena.ofShared();
      MemorySegment s;
      try {
        s = fresh.allocate(size, 64);
      } catch (RuntimeException | OutOfMemoryError e) {
        fresh.close();
        throw e;
      }
      close();
      arena = fresh;
      segment = s;
    }
    return segment;
  }

  MemorySegment segment() {
    return segment;
  }

  /** The first {@code count} floats as a direct, native-order buffer. */
  FloatBuffer floats(long count) {
    return floats(0, count);
  }

  /** {@code count} floats from float index {@code from} as a direct, native-order buffer. */
  FloatBuffer floats(long from, long count) {
    return segment.asSlice(from * Float.BYTES, count * Float.BYTES).asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  /** The first {@code count} longs as a direct, native-order buffer. */
  LongBuffer longs(long count) {
    return segment.asSlice(0, count * Long.BYTES).asByteBuffer().order(ByteOrder.nativeOrder()).asLongBuffer();
  }

  @Override
  public void close() {
    if (arena != null) {
      arena.close();
      arena = null;
      segment = MemorySegment.NULL;
    }
  }
}
