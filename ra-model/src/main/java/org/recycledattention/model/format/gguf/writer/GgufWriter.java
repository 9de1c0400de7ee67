package org.recycledattention.model.format.gguf.writer;

import static java.util.Objects.requireNonNull;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.recycledattention.api.RaException;
import org.recycledattention.model.format.gguf.GgufFile;
import org.recycledattention.model.format.gguf.GgufValueType;
import org.recycledattention.model.io.OutputFiles;
import org.recycledattention.model.tensor.FloatTensor;
import org.recycledattention.model.tensor.GgmlType;

/**
 * Builds a GGUF v3 file: metadata key/values (every GGUF value type, arrays included), a tensor
 * directory and the tensor data, each tensor aligned to {@code general.alignment} (32 unless set).
 * Tensor data is produced row by row at {@link #write} time, so a model larger than the heap can be
 * written from memory-mapped tensors.
 *
 * <p>Dimensions are in ggml order: {@code dims[0]} is the row length (for a {@code rows × cols}
 * matrix, {@code {cols, rows}}).
 *
 * <p>Not thread-safe: build and write from one thread.
 */
public final class GgufWriter {
  /** The rows of one tensor, as f32: fills {@code dst[0 .. cols)} with row {@code row}. */
  @FunctionalInterface
  public interface RowSource {
    void row(int row, float[] dst);
  }

  private record Value(GgufValueType type, Object value) {}

  private record Tensor(String name, GgmlType type, long[] dims, int rows, int cols, RowSource source) {}

  private final Map<String, Value> metadata = new LinkedHashMap<>();
  private final List<Tensor> tensors = new ArrayList<>();
  private final Set<String> tensorNames = new HashSet<>();

  public GgufWriter putUInt8(String key, int v) {
    return put(key, GgufValueType.UINT8, checkRange(key, v, 0, 0xFF));
  }

  public GgufWriter putInt8(String key, int v) {
    return put(key, GgufValueType.INT8, checkRange(key, v, Byte.MIN_VALUE, Byte.MAX_VALUE));
  }

  public GgufWriter putUInt16(String key, int v) {
    return put(key, GgufValueType.UINT16, checkRange(key, v, 0, 0xFFFF));
  }

  public GgufWriter putInt16(String key, int v) {
    return put(key, GgufValueType.INT16, checkRange(key, v, Short.MIN_VALUE, Short.MAX_VALUE));
  }

  public GgufWriter putUInt32(String key, long v) {
    return put(key, GgufValueType.UINT32, checkRange(key, v, 0, 0xFFFFFFFFL));
  }

  public GgufWriter putInt32(String key, int v) {
    return put(key, GgufValueType.INT32, (long) v);
  }

  /** {@code v}'s bits as an unsigned 64-bit value. */
  public GgufWriter putUInt64(String key, long v) {
    return put(key, GgufValueType.UINT64, v);
  }

  public GgufWriter putInt64(String key, long v) {
    return put(key, GgufValueType.INT64, v);
  }

  public GgufWriter putFloat32(String key, float v) {
    return put(key, GgufValueType.FLOAT32, v);
  }

  public GgufWriter putFloat64(String key, double v) {
    return put(key, GgufValueType.FLOAT64, v);
  }

  public GgufWriter putBool(String key, boolean v) {
    return put(key, GgufValueType.BOOL, v);
  }

  public GgufWriter putString(String key, String v) {
    return put(key, GgufValueType.STRING, requireNonNull(v, "value is null"));
  }

  public GgufWriter putArray(String key, GgufArray array) {
    checkArray(key, array);
    return put(key, GgufValueType.ARRAY, array);
  }

  public GgufWriter putStrings(String key, List<String> values) {
    return putArray(key, new GgufArray(GgufValueType.STRING, values));
  }

  public GgufWriter putInt32s(String key, int[] values) {
    return putArray(key, new GgufArray(GgufValueType.INT32, Arrays.stream(values).boxed().toList()));
  }

  public GgufWriter putFloat32s(String key, float[] values) {
    List<Float> list = new ArrayList<>(values.length);
    for (float f : values) {
      list.add(f);
    }
    return putArray(key, new GgufArray(GgufValueType.FLOAT32, list));
  }

  private GgufWriter put(String key, GgufValueType type, Object value) {
    requireNonNull(key, "key is null");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("metadata key is empty");
    }
    if (metadata.putIfAbsent(key, new Value(type, value)) != null) {
      throw new IllegalArgumentException("metadata key '" + key + "' is already set");
    }
    return this;
  }

  private static long checkRange(String key, long v, long min, long max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException("metadata '" + key + "' = " + v + " is outside " + min + " .. " + max);
    }
    return v;
  }

  private static void checkArray(String key, GgufArray a) {
    for (Object o : a.values()) {
      boolean ok = switch (a.elementType()) {
        case STRING -> o instanceof String;
        case BOOL -> o instanceof Boolean;
        case ARRAY -> o instanceof GgufArray;
        default -> o instanceof Number;
      };
      if (!ok) {
        throw new IllegalArgumentException("metadata '" + key + "': array of " + a.elementType() + " holds " + (o == null ? "null" : o.getClass().getSimpleName()));
      }
      if (o instanceof GgufArray nested) {
        checkArray(key, nested);
      }
    }
  }

  /**
   * Adds a tensor of {@code type} with ggml dimensions {@code dims} whose rows ({@code dims[0]}
   * elements each, {@code product(dims[1..])} of them) come from {@code source} at write time.
   */
  public GgufWriter addTensor(String name, GgmlType type, long[] dims, RowSource source) {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    requireNonNull(dims, "dims is null");
    requireNonNull(source, "source is null");
    if (dims.length < 1 || dims.length > 4) {
      throw new IllegalArgumentException("tensor '" + name + "' has " + dims.length + " dimensions; GGUF allows 1 to 4");
    }
    long rows = 1;
    for (int i = 1; i < dims.length; i++) {
      rows *= dims[i];
    }
    if (dims[0] < 1 || rows < 1 || dims[0] > Integer.MAX_VALUE || rows > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor '" + name + "' has dimensions " + Arrays.toString(dims));
    }
    if (dims[0] % type.blockSize() != 0) {
      throw new IllegalArgumentException("tensor '" + name + "': rows of " + dims[0] + " are not a whole number of " + type + " blocks of " + type.blockSize());
    }
    if (!tensorNames.add(name)) {
      throw new IllegalArgumentException("tensor '" + name + "' is already added");
    }
    tensors.add(new Tensor(name, type, dims.clone(), (int) rows, (int) dims[0], source));
    return this;
  }

  /** A {@code rows × cols} matrix (ggml dims {@code {cols, rows}}) from row-major {@code values}. */
  public GgufWriter addMatrix(String name, GgmlType type, int rows, int cols, float[] values) {
    if ((long) rows * cols != values.length) {
      throw new IllegalArgumentException("tensor '" + name + "': " + rows + " x " + cols + " does not match " + values.length + " values");
    }
    return addTensor(name, type, new long[] {cols, rows}, (r, dst) -> System.arraycopy(values, r * cols, dst, 0, cols));
  }

  /** A 1-D tensor. */
  public GgufWriter addVector(String name, GgmlType type, float[] values) {
    return addTensor(name, type, new long[] {values.length}, (r, dst) -> System.arraycopy(values, 0, dst, 0, values.length));
  }

  /** {@code tensor}'s rows, re-encoded as {@code type}; 1-D when {@code vector}, else {@code {cols, rows}}. */
  public GgufWriter addTensor(String name, GgmlType type, FloatTensor tensor, boolean vector) {
    long[] dims = vector ? new long[] {tensor.size()} : new long[] {tensor.cols(), tensor.rows()};
    if (vector && tensor.rows() != 1) {
      float[] all = tensor.toArray();
      return addTensor(name, type, dims, (r, dst) -> System.arraycopy(all, 0, dst, 0, all.length));
    }
    return addTensor(name, type, dims, (r, dst) -> tensor.copyRow(r, dst, 0));
  }

  private long alignment() {
    Value v = metadata.get("general.alignment");
    if (v == null) {
      return GgufFile.DEFAULT_ALIGNMENT;
    }
    long a = ((Number) v.value()).longValue();
    if (v.type() != GgufValueType.UINT32 || a < 1 || Long.bitCount(a) != 1) {
      throw new IllegalArgumentException("general.alignment must be a UINT32 power of two, got " + v.type() + " " + a);
    }
    return a;
  }

  /**
   * Writes the file with {@link OutputFiles#write}: to a temporary file beside {@code target}, renamed
   * to {@code target} when complete. On failure {@code target} is untouched; a target that is not a
   * regular file, or a symbolic link out of its directory, is refused.
   *
   * @throws RaException when the file cannot be written
   */
  public void write(Path target) {
    requireNonNull(target, "target is null");
    OutputFiles.write(target, this::writeTo);
  }

  /** Writes the whole file to {@code os} (not closed). */
  public void writeTo(OutputStream os) throws IOException {
    long alignment = alignment();
    LeOutput out = new LeOutput(new BufferedOutputStream(os, 1 << 16));
    out.u32(GgufFile.MAGIC);
    out.u32(3);
    out.u64(tensors.size());
    out.u64(metadata.size());
    for (Map.Entry<String, Value> e : metadata.entrySet()) {
      out.string(e.getKey());
      out.u32(e.getValue().type().id());
      writeValue(out, e.getValue().type(), e.getValue().value());
    }
    long offset = 0;
    long[] offsets = new long[tensors.size()];
    for (int i = 0; i < tensors.size(); i++) {
      Tensor t = tensors.get(i);
      offsets[i] = offset;
      out.string(t.name());
      out.u32(t.dims().length);
      for (long d : t.dims()) {
        out.u64(d);
      }
      out.u32(t.type().id());
      out.u64(offset);
      offset = alignUp(offset + GgmlQuantizer.bytes(t.type(), (long) t.rows() * t.cols()), alignment);
    }
    out.pad(alignUp(out.position(), alignment) - out.position());
    long dataStart = out.position();
    for (int i = 0; i < tensors.size(); i++) {
      Tensor t = tensors.get(i);
      out.pad(dataStart + offsets[i] - out.position());
      float[] row = new float[t.cols()];
      ByteBuffer encoded = ByteBuffer.allocate((int) GgmlQuantizer.bytes(t.type(), t.cols())).order(ByteOrder.LITTLE_ENDIAN);
      for (int r = 0; r < t.rows(); r++) {
        t.source().row(r, row);
        encoded.clear();
        GgmlQuantizer.encode(t.type(), row, 0, t.cols(), encoded);
        out.bytes(encoded.array(), encoded.position());
      }
    }
    out.pad(alignUp(out.position(), alignment) - out.position());
    out.flush();
  }

  private static long alignUp(long v, long alignment) {
    return (v + alignment - 1) / alignment * alignment;
  }

  private static void writeValue(LeOutput out, GgufValueType type, Object v) throws IOException {
    switch (type) {
      case UINT8, INT8 -> out.u8(((Number) v).intValue());
      case UINT16, INT16 -> out.u16(((Number) v).intValue());
      case UINT32, INT32 -> out.u32((int) ((Number) v).longValue());
      case UINT64, INT64 -> out.u64(((Number) v).longValue());
      case FLOAT32 -> out.u32(Float.floatToRawIntBits(((Number) v).floatValue()));
      case FLOAT64 -> out.u64(Double.doubleToRawLongBits(((Number) v).doubleValue()));
      case BOOL -> out.u8((Boolean) v ? 1 : 0);
      case STRING -> out.string((String) v);
      case ARRAY -> {
        GgufArray a = (GgufArray) v;
        out.u32(a.elementType().id());
        out.u64(a.values().size());
        for (Object o : a.values()) {
          if (a.elementType() == GgufValueType.ARRAY) {
            writeValue(out, GgufValueType.ARRAY, o);
          } else {
            writeValue(out, a.elementType(), o);
          }
        }
      }
    }
  }

  /** Little-endian primitives over a stream, counting bytes. */
  private static final class LeOutput {
    private final OutputStream out;
    private final byte[] scratch = new byte[8];
    private long position;

    LeOutput(OutputStream out) {
      this.out = out;
    }

    long position() {
      return position;
    }

    void u8(int v) throws IOException {
      out.write(v);
      position++;
    }

    void u16(int v) throws IOException {
      scratch[0] = (byte) v;
      scratch[1] = (byte) (v >>> 8);
      bytes(scratch, 2);
    }

    void u32(int v) throws IOException {
      for (int i = 0; i < 4; i++) {
        scratch[i] = (byte) (v >>> (8 * i));
      }
      bytes(scratch, 4);
    }

    void u64(long v) throws IOException {
      for (int i = 0; i < 8; i++) {
        scratch[i] = (byte) (v >>> (8 * i));
      }
      bytes(scratch, 8);
    }

    void string(String s) throws IOException {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      u64(b.length);
      bytes(b, b.length);
    }

    void bytes(byte[] b, int n) throws IOException {
      out.write(b, 0, n);
      position += n;
    }

    void pad(long n) throws IOException {
      for (long i = 0; i < n; i++) {
        out.write(0);
      }
      position += n;
    }

    void flush() throws IOException {
      out.flush();
    }
  }
}
