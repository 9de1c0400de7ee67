package org.recycledattention.model.format.gguf;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.format.FileAccess;
import org.recycledattention.model.format.ModelFiles;
import org.recycledattention.model.io.SafeText;
import org.recycledattention.model.tensor.FloatTensor;
import org.recycledattention.model.tensor.GgmlType;

/**
 * A parsed GGUF file: version, metadata, tensor directory and the memory-mapped data.
 *
 * <h2>Metadata values</h2>
 * {@link #metadata()} maps each key, in file order, to a Java value:
 * <ul>
 *   <li>every integer scalar ({@code UINT8} .. {@code INT64}) is a {@link Long} ({@code UINT64}
 *       values above {@code Long.MAX_VALUE} wrap, as Java's unsigned arithmetic expects);
 *   <li>{@code FLOAT32} a {@link Float}, {@code FLOAT64} a {@link Double}, {@code BOOL} a {@link
 *       Boolean}, {@code STRING} a {@link String} (UTF-8; malformed bytes are an error);
 *   <li>arrays of integers up to 32 bits an {@code int[]} ({@code UINT32} values keep their bits),
 *       of 64-bit integers a {@code long[]}, of {@code FLOAT32} a {@code float[]}, of {@code FLOAT64}
 *       a {@code double[]}, of {@code BOOL} a {@code boolean[]}, of strings a {@code List<String>},
 *       of arrays a {@code List<Object>} of the above.
 * </ul>
 * Use {@link Number} to read integers of any width. Arrays are shared: do not modify them.
 *
 * <p>Every count, length and offset is checked against the bytes left in the file before anything
 * is allocated, and no two tensors may share bytes. Strings from the file appear in messages through
 * {@link SafeText}. Immutable and thread-safe; {@link #close()} unmaps the file, after which tensors
 * from it must not be used.
 */
public final class GgufFile implements AutoCloseable {
  /** "GGUF" as a little-endian u32. */
  public static final int MAGIC = 0x46554747;
  public static final int DEFAULT_ALIGNMENT = 32;
  private static final int MAX_ARRAY_NESTING = 8;

  private final Path path;
  private final AutoCloseable owner;
  private final ModelFiles files;
  private final MemorySegment file;
  private final int version;
  private final Map<String, Object> metadata;
  private final Map<String, GgufValueType> metadataTypes;
  private final Map<String, GgufTensorInfo> tensors;
  private final long alignment;
  private final long dataOffset;

  private GgufFile(Path path, AutoCloseable owner, ModelFiles files, MemorySegment file, int version, Map<String, Object> metadata,
      Map<String, GgufValueType> metadataTypes, Map<String, GgufTensorInfo> tensors, long alignment, long dataOffset) {
    this.path = path;
    this.owner = owner;
    this.files = files;
    this.file = file;
    this.version = version;
    this.metadata = Collections.unmodifiableMap(metadata);
    this.metadataTypes = Collections.unmodifiableMap(metadataTypes);
    this.tensors = Collections.unmodifiableMap(tensors);
    this.alignment = alignment;
    this.dataOffset = dataOffset;
  }

  /**
   * Maps and parses {@code path}.
   *
   * @throws ModelFormatException when the file cannot be read or is not valid GGUF
   */
  public static GgufFile open(Path path) {
    return open(path, FileAccess.MAPPED);
  }

  /**
   * Opens {@code path} as {@code access} says (mapped, or read into memory) and parses it.
   *
   * @throws ModelFormatException when the file cannot be read or is not valid GGUF
   */
  public static GgufFile open(Path path, FileAccess access) {
    requireNonNull(path, "path is null");
    ModelFiles files = new ModelFiles(access);
    try {
      return parse(path, files.open(path), files, files);
    } catch (RuntimeException | Error e) {
      files.close();
      throw e;
    }
  }

  /**
   * Parses GGUF held in {@code data} (for tests and in-memory files). {@code arena} is closed by
   * {@link #close()}; it may be {@code null} when the caller owns the memory.
   */
  public static GgufFile parse(Path path, MemorySegment data, Arena arena) {
    return parse(path, data, arena, ModelFiles.none());
  }

  private static GgufFile parse(Path path, MemorySegment data, AutoCloseable owner, ModelFiles files) {
    requireNonNull(path, "path is null");
    requireNonNull(data, "data is null");
    Reader r = new Reader(path, data);
    long magicAt = r.pos;
    int magic = r.i32();
    if (magic != MAGIC) {
      throw new ModelFormatException(path, magicAt, String.format("not a GGUF file: magic is 0x%08x, expected 0x%08x (\"GGUF\")", magic, MAGIC));
    }
    long versionAt = r.pos;
    int version = r.i32();
    if (version != 2 && version != 3) {
      throw new ModelFormatException(path, versionAt, "GGUF version " + Integer.toUnsignedString(version)
          + " is not supported; expected 2 or 3 (re-convert the model with a current llama.cpp)");
    }
    long countAt = r.pos;
    long tensorCount = r.i64();
    long kvCount = r.i64();
    // the smallest tensor entry: name length (8) + n_dims (4) + one dim (8) + type (4) + offset (8)
    if (tensorCount < 0 || tensorCount > r.remaining() / 32) {
      throw new ModelFormatException(path, countAt, "the header claims " + Long.toUnsignedString(tensorCount)
          + " tensors, more than the " + data.byteSize() + "-byte file can hold; the file is corrupt");
    }
    // the smallest key/value: key length (8) + type (4) + one byte
    if (kvCount < 0 || kvCount > r.remaining() / 13) {
      throw new ModelFormatException(path, countAt + 8, "the header claims " + Long.toUnsignedString(kvCount)
          + " metadata entries, more than the " + data.byteSize() + "-byte file can hold; the file is corrupt");
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    Map<String, GgufValueType> types = new LinkedHashMap<>();
    for (long i = 0; i < kvCount; i++) {
      long keyAt = r.pos;
      String key = r.string();
      long typeAt = r.pos;
      GgufValueType type = r.valueType();
      Object value = r.value(type, 0);
      if (metadata.putIfAbsent(key, value) != null) {
        throw new ModelFormatException(path, keyAt, "metadata key '" + SafeText.of(key) + "' appears twice");
      }
      types.put(key, type);
      if (type == null) {
        throw new AssertionError(typeAt);
      }
    }
    long alignment = DEFAULT_ALIGNMENT;
    Object align = metadata.get("general.alignment");
    if (align != null) {
      if (!(align instanceof Long a) || a < 1 || a > 1 << 20 || Long.bitCount(a) != 1) {
        throw new ModelFormatException(path, -1, "general.alignment is " + describe(align) + "; expected a power of two up to 2^20");
      }
      alignment = a;
    }
    List<GgufTensorInfo> infos = new ArrayList<>((int) Math.min(tensorCount, 4096));
    for (long i = 0; i < tensorCount; i++) {
      long infoAt = r.pos;
      String name = r.string();
      long dimsAt = r.pos;
      int nDims = r.i32();
      if (nDims < 1 || nDims > 4) {
        throw new ModelFormatException(path, dimsAt, "tensor '" + SafeText.of(name) + "' has " + Integer.toUnsignedString(nDims) + " dimensions; expected 1 to 4");
      }
      long[] dims = new long[nDims];
      long elements = 1;
      for (int d = 0; d < nDims; d++) {
        long at = r.pos;
        dims[d] = r.i64();
        if (dims[d] < 1 || elements > Long.MAX_VALUE / dims[d]) {
          throw new ModelFormatException(path, at, "tensor '" + SafeText.of(name) + "' has dimension " + d + " = " + Long.toUnsignedString(dims[d])
              + "; expected a positive size whose product fits in 63 bits");
        }
        elements *= dims[d];
      }
      int typeId = r.i32();
      long offsetAt = r.pos;
      long offset = r.i64();
      GgmlType type = GgmlType.byId(typeId);
      long bytes = type == null ? -1 : type.bytes(elements);
      if (type != null && bytes < 0) {
        throw new ModelFormatException(path, dimsAt, "tensor '" + SafeText.of(name) + "' of type " + type + " has " + elements
            + " elements, not a whole number of " + type.blockSize() + "-element blocks");
      }
      if (offset < 0 || offset % alignment != 0) {
        throw new ModelFormatException(path, offsetAt, "tensor '" + SafeText.of(name) + "' has data offset " + Long.toUnsignedString(offset)
            + ", which is not a multiple of the alignment " + alignment);
      }
      infos.add(new GgufTensorInfo(name, dims, typeId, type, offset, bytes, infoAt));
    }
    long dataOffset = alignUp(r.pos, alignment);
    if (dataOffset > data.byteSize() && tensorCount > 0) {
      throw new ModelFormatException(path, r.pos, "the tensor data would start at byte " + dataOffset + ", past the end of the "
          + data.byteSize() + "-byte file; the file is truncated");
    }
    Map<String, GgufTensorInfo> byName = new LinkedHashMap<>();
    for (GgufTensorInfo t : infos) {
      long start = dataOffset + t.offset();
      if (start < 0 || t.offset() > data.byteSize() || (t.bytes() >= 0 && (start > data.byteSize() || t.bytes() > data.byteSize() - start))) {
        throw new ModelFormatException(path, t.infoOffset(), "tensor '" + SafeText.of(t.name()) + "' (" + t.typeName() + ", " + t.bytes()
            + " bytes at data offset " + t.offset() + ") ends past the end of the " + data.byteSize() + "-byte file; the file is truncated");
      }
      GgufTensorInfo absolute = new GgufTensorInfo(t.name(), t.dims(), t.typeId(), t.type(), start, t.bytes(), t.infoOffset());
      if (byName.putIfAbsent(t.name(), absolute) != null) {
        throw new ModelFormatException(path, t.infoOffset(), "tensor '" + SafeText.of(t.name()) + "' appears twice");
      }
    }
    checkNoOverlap(path, byName.values(), dataOffset);
    return new GgufFile(path, owner, files, data, version, metadata, types, byName, alignment, dataOffset);
  }

  /** No two tensors may share bytes (llama.cpp refuses such files too): a tensor is one tensor's data. */
  private static void checkNoOverlap(Path path, Collection<GgufTensorInfo> tensors, long dataOffset) {
    List<GgufTensorInfo> sized = new ArrayList<>();
    for (GgufTensorInfo t : tensors) {
      if (t.bytes() > 0) {
        sized.add(t);
      }
    }
    sized.sort(Comparator.comparingLong(GgufTensorInfo::offset));
    for (int i = 1; i < sized.size(); i++) {
      GgufTensorInfo before = sized.get(i - 1);
      GgufTensorInfo t = sized.get(i);
      if (t.offset() < before.offset() + before.bytes()) {
        throw new ModelFormatException(path, t.infoOffset(), "the data of tensor '" + SafeText.of(t.name()) + "' (bytes " + (t.offset() - dataOffset)
            + ".." + (t.offset() - dataOffset + t.bytes()) + " of the data section) overlap those of tensor '" + SafeText.of(before.name()) + "' ("
            + (before.offset() - dataOffset) + ".." + (before.offset() - dataOffset + before.bytes()) + "); each tensor needs bytes of its own: the file is corrupt");
      }
    }
  }

  private static long alignUp(long x, long a) {
    return (x + a - 1) / a * a;
  }

  public Path path() {
    return path;
  }

  /** The GGUF version: 2 or 3. */
  public int version() {
    return version;
  }

  /** Alignment of tensor data ({@code general.alignment}, default 32). */
  public long alignment() {
    return alignment;
  }

  /** Byte offset of the tensor data section. */
  public long dataOffset() {
    return dataOffset;
  }

  /** Every metadata key/value in file order; see the class documentation for value types. */
  public Map<String, Object> metadata() {
    return metadata;
  }

  /** The GGUF type a key was stored with, or {@code null} when absent. */
  public GgufValueType metadataType(String key) {
    return metadataTypes.get(key);
  }

  /** The tensor directory, by name, in file order; offsets are absolute. */
  public Map<String, GgufTensorInfo> tensors() {
    return tensors;
  }

  public Optional<GgufTensorInfo> tensor(String name) {
    return Optional.ofNullable(tensors.get(name));
  }

  /** The files this GGUF was read from ({@link ModelFiles#none()} when parsed from memory). */
  public ModelFiles files() {
    return files;
  }

  /** The whole mapped file. */
  public MemorySegment data() {
    return file;
  }

  /**
   * Tensor {@code name} as a matrix of {@code rows() × cols()} over the mapped file.
   *
   * @throws ModelFormatException when it is missing or of an unsupported type
   */
  public FloatTensor floatTensor(String name) {
    GgufTensorInfo t = tensors.get(name);
    if (t == null) {
      throw new ModelFormatException(path, -1, "tensor '" + SafeText.of(name) + "' is missing; the file is not a complete model of its architecture");
    }
    if (t.type() == null) {
      throw new ModelFormatException(path, t.infoOffset(), "tensor '" + SafeText.of(name) + "' has unknown GGML type id " + t.typeId()
          + " (supported: " + GgmlType.supportedNames() + "); convert or re-quantize the model to one of those");
    }
    MemorySegment slice = t.bytes() >= 0 ? file.asSlice(t.offset(), t.bytes()) : file.asSlice(t.offset());
    return FloatTensor.of(path, t.offset(), name, t.type(), slice, t.rows(), t.cols());
  }

  /** Metadata {@code key} as a string, or empty. */
  public Optional<String> string(String key) {
    return metadata.get(key) instanceof String s ? Optional.of(s) : Optional.empty();
  }

  /**
   * Metadata {@code key} as an int, or {@code defaultValue} when absent.
   *
   * @throws ModelFormatException when present but not an integer in int range
   */
  public int intValue(String key, int defaultValue) {
    Object v = metadata.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (!(v instanceof Long l) || l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
      throw new ModelFormatException(path, -1, "metadata '" + SafeText.of(key) + "' is " + describe(v) + "; expected an integer in int range");
    }
    return (int) (long) l;
  }

  /**
   * Metadata {@code key} as a float, or {@code defaultValue} when absent.
   *
   * @throws ModelFormatException when present but not a number
   */
  public float floatValue(String key, float defaultValue) {
    Object v = metadata.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (!(v instanceof Number n)) {
      throw new ModelFormatException(path, -1, "metadata '" + SafeText.of(key) + "' is " + describe(v) + "; expected a number");
    }
    return n.floatValue();
  }

  static String describe(Object v) {
    if (v instanceof String s) {
      return "the string \"" + SafeText.of(s, 40) + "\"";
    }
    if (v != null && v.getClass().isArray() || v instanceof List) {
      return "an array";
    }
    return String.valueOf(v);
  }

  @Override
  public void close() {
    if (owner != null) {
      try {
        owner.close();
      } catch (IllegalStateException alreadyClosed) {
        // idempotent
      } catch (Exception e) {
        throw new IllegalStateException("closing " + path + " failed: " + e.getMessage(), e);
      }
    }
  }

  /** A bounds-checked little-endian cursor over the file. */
  private static final class Reader {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final MemorySegment s;
    long pos;

    Reader(Path path, MemorySegment s) {
      this.path = path;
      this.s = s;
    }

    long remaining() {
      return s.byteSize() - pos;
    }

    private void need(long bytes, String what) {
      if (bytes < 0 || bytes > remaining()) {
        throw new ModelFormatException(path, pos, what + " needs " + Long.toUnsignedString(bytes) + " bytes but the "
            + s.byteSize() + "-byte file has only " + remaining() + " left; the file is truncated or corrupt");
      }
    }

    int i32() {
      need(4, "a 32-bit value");
      int v = s.get(I32, pos);
      pos += 4;
      return v;
    }

    long i64() {
      need(8, "a 64-bit value");
      long v = s.get(I64, pos);
      pos += 8;
      return v;
    }

    String string() {
      long at = pos;
      long len = i64();
      if (len < 0 || len > remaining()) {
        long left = remaining();
        pos = at;
        throw new ModelFormatException(path, at, "a string claims " + Long.toUnsignedString(len) + " bytes but only "
            + left + " are left in the file; the file is truncated or corrupt");
      }
      if (len > Integer.MAX_VALUE - 8) {
        throw new ModelFormatException(path, at, "a string of " + len + " bytes is too long");
      }
      byte[] bytes = s.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
      pos += len;
      try {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes)).toString();
      } catch (CharacterCodingException e) {
        throw new ModelFormatException(path, at + 8, "a string is not valid UTF-8");
      }
    }

    GgufValueType valueType() {
      long at = pos;
      int id = i32();
      GgufValueType t = GgufValueType.byId(Integer.toUnsignedLong(id));
      if (t == null) {
        throw new ModelFormatException(path, at, "unknown metadata value type " + Integer.toUnsignedString(id) + "; expected 0 to 12");
      }
      return t;
    }

    Object value(GgufValueType type, int depth) {
      switch (type) {
        case UINT8 -> { need(1, "a u8"); return (long) (s.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF); }
        case INT8 -> { need(1, "an i8"); return (long) s.get(ValueLayout.JAVA_BYTE, pos++); }
        case UINT16 -> { need(2, "a u16"); long v = s.get(I16, pos) & 0xFFFF; pos += 2; return v; }
        case INT16 -> { need(2, "an i16"); long v = s.get(I16, pos); pos += 2; return v; }
        case UINT32 -> { return Integer.toUnsignedLong(i32()); }
        case INT32 -> { return (long) i32(); }
        case UINT64, INT64 -> { return i64(); }
        case FLOAT32 -> { need(4, "an f32"); float v = s.get(F32, pos); pos += 4; return v; }
        case FLOAT64 -> { need(8, "an f64"); double v = s.get(F64, pos); pos += 8; return v; }
        case BOOL -> {
          long at = pos;
          need(1, "a bool");
          byte b = s.get(ValueLayout.JAVA_BYTE, pos++);
          if (b != 0 && b != 1) {
            throw new ModelFormatException(path, at, "a bool has value " + b + "; expected 0 or 1");
          }
          return b == 1;
        }
        case STRING -> { return string(); }
        case ARRAY -> { return array(depth); }
        default -> throw new AssertionError(type);
      }
    }

    /** The next {@code n} values of {@code layout} (their count already checked against the file), read past. */
    private MemorySegment take(ValueLayout layout, int n) {
      MemorySegment values = s.asSlice(pos, layout.byteSize() * n);
      pos += values.byteSize();
      return values;
    }

    private Object array(int depth) {
      long at = pos;
      if (depth >= MAX_ARRAY_NESTING) {
        throw new ModelFormatException(path, at, "arrays are nested more than " + MAX_ARRAY_NESTING + " deep");
      }
      GgufValueType elem = valueType();
      long countAt = pos;
      long count = i64();
      // strings need 8 bytes each at least, nested arrays 12
      long minBytes = elem.size() > 0 ? elem.size() : elem == GgufValueType.STRING ? 8 : 12;
      if (count < 0 || count > remaining() / minBytes) {
        throw new ModelFormatException(path, countAt, "an array of " + elem + " claims " + Long.toUnsignedString(count)
            + " elements but only " + remaining() + " bytes are left in the file; the file is truncated or corrupt");
      }
      if (count > Integer.MAX_VALUE - 8) {
        throw new ModelFormatException(path, countAt, "an array of " + count + " elements is too long");
      }
      int n = (int) count;
      switch (elem) {
        case UINT8, INT8, UINT16, INT16, UINT32, INT32 -> {
          int[] a = new int[n];
          for (int i = 0; i < n; i++) {
            a[i] = (int) (long) (Long) value(elem, depth + 1);
          }
          return a;
        }
        case UINT64, INT64 -> {
          return take(I64, n).toArray(I64);
        }
        case FLOAT32 -> {
          return take(F32, n).toArray(F32);
        }
        case FLOAT64 -> {
          return take(F64, n).toArray(F64);
        }
        case BOOL -> {
          boolean[] a = new boolean[n];
          for (int i = 0; i < n; i++) {
            a[i] = (Boolean) value(elem, depth + 1);
          }
          return a;
        }
        case STRING -> {
          List<String> a = new ArrayList<>(Math.min(n, 1 << 16));
          for (int i = 0; i < n; i++) {
            a.add(string());
          }
          return Collections.unmodifiableList(a);
        }
        case ARRAY -> {
          List<Object> a = new ArrayList<>(Math.min(n, 1 << 16));
          for (int i = 0; i < n; i++) {
            a.add(array(depth + 1));
          }
          return Collections.unmodifiableList(a);
        }
        default -> throw new AssertionError(elem);
      }
    }
  }
}
