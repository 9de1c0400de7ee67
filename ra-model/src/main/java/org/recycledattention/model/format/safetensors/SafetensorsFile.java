package org.recycledattention.model.format.safetensors;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.tensor.FloatTensor;
import org.recycledattention.model.tensor.GgmlType;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length {@code N}, {@code N} bytes
 * of JSON ({@code name -> {dtype, shape, data_offsets: [begin, end]}}, offsets relative to the end
 * of the header), then the data. The file is memory-mapped in the caller's arena; tensors are views
 * of the mapping.
 *
 * <p>Immutable and thread-safe; valid while the arena is open.
 */
public final class SafetensorsFile {
  /** The format's own limit on the JSON header. */
  public static final long MAX_HEADER_BYTES = 100L << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A tensor's directory entry.
   *
   * @param dtype the safetensors dtype name ("BF16", "F32", ...)
   * @param shape dimensions, outermost first (a Linear weight is {@code [out, in]})
   * @param begin first data byte, from the start of the file
   * @param end one past the last data byte, from the start of the file
   */
  public record Entry(String name, String dtype, long[] shape, long begin, long end) {
    public long elements() {
      long n = 1;
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      return n;
    }
  }

  private final Path path;
  private final MemorySegment data;
  private final Map<String, Entry> entries;
  private final Map<String, String> metadata;

  private SafetensorsFile(Path path, MemorySegment data, Map<String, Entry> entries, Map<String, String> metadata) {
    this.path = path;
    this.data = data;
    this.entries = Collections.unmodifiableMap(entries);
    this.metadata = Collections.unmodifiableMap(metadata);
  }

  /**
   * Reads the header of {@code path}, checks every entry against the file size, then maps the file
   * read-only in {@code arena}.
   *
   * @throws ModelFormatException naming the byte offset or tensor that is wrong
   */
  public static SafetensorsFile open(Path path, Arena arena) {
    requireNonNull(path, "path is null");
    requireNonNull(arena, "arena is null");
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw new ModelFormatException(path, 0, "file has " + size + " bytes; expected a safetensors file (8-byte header length first)");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      long headerLength = lenBuf.getLong(0);
      if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
        throw new ModelFormatException(path, 0, "header length is " + Long.toUnsignedString(headerLength) + " but the file has " + size
            + " bytes (and headers are at most " + MAX_HEADER_BYTES + "); the file is truncated or not safetensors");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLength);
      readFully(ch, header, 8);
      long dataStart = 8 + headerLength;
      long dataBytes = size - dataStart;
      JsonNode root;
      try {
        root = JSON.readTree(header.array());
      } catch (IOException e) {
        throw new ModelFormatException(path, 8, "header is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
      }
      if (root == null || !root.isObject()) {
        throw new ModelFormatException(path, 8, "header is not a JSON object");
      }
      Map<String, Entry> entries = new LinkedHashMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String name = field.getKey();
        JsonNode t = field.getValue();
        if (name.equals("__metadata__")) {
          t.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
          continue;
        }
        entries.put(name, entry(path, name, t, dataStart, dataBytes));
      }
      MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      return new SafetensorsFile(path, mapped, entries, metadata);
    } catch (IOException e) {
      throw new ModelFormatException(path, -1, "cannot read the file: " + e.getMessage(), e);
    }
  }

  private static Entry entry(Path path, String name, JsonNode t, long dataStart, long dataBytes) {
    String dtype = t.path("dtype").asText("");
    JsonNode shapeNode = t.path("shape");
    JsonNode offsets = t.path("data_offsets");
    if (dtype.isEmpty() || !shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
      throw new ModelFormatException(path, 8, "tensor '" + name + "' needs dtype, shape and data_offsets [begin, end] in the header");
    }
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.canConvertToLong() || d.asLong() < 0) {
        throw new ModelFormatException(path, 8, "tensor '" + name + "' has shape " + shapeNode + "; expected non-negative integers");
      }
      shape[i] = d.asLong();
    }
    JsonNode b = offsets.get(0);
    JsonNode e = offsets.get(1);
    if (!b.canConvertToLong() || !e.canConvertToLong()) {
      throw new ModelFormatException(path, 8, "tensor '" + name + "' has data_offsets " + offsets + "; expected two integers");
    }
    long begin = b.asLong();
    long end = e.asLong();
    if (begin < 0 || end < begin || end > dataBytes) {
      throw new ModelFormatException(path, dataStart + Math.max(0, begin), "tensor '" + name + "' has data_offsets [" + begin + ", " + end
          + "] but the data section has " + dataBytes + " bytes; the file is truncated or corrupt");
    }
    Entry entry = new Entry(name, dtype, shape, dataStart + begin, dataStart + end);
    int width = dtypeBytes(dtype);
    if (width > 0) {
      long elements;
      try {
        elements = entry.elements();
      } catch (ArithmeticException overflow) {
        throw new ModelFormatException(path, dataStart + begin, "tensor '" + name + "' has shape " + shapeNode + ", too many elements");
      }
      if (elements > Long.MAX_VALUE / width || elements * width != end - begin) {
        throw new ModelFormatException(path, dataStart + begin, "tensor '" + name + "' (" + dtype + ", shape " + shapeNode + ") needs "
            + (elements > Long.MAX_VALUE / width ? "too many" : String.valueOf(elements * width)) + " bytes but data_offsets give " + (end - begin));
      }
    }
    return entry;
  }

  /** Bytes per element of a dtype, or 0 when the dtype is not one this package knows. */
  static int dtypeBytes(String dtype) {
    return switch (dtype) {
      case "F64", "I64", "U64" -> 8;
      case "F32", "I32", "U32" -> 4;
      case "F16", "BF16", "I16", "U16" -> 2;
      case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
      default -> 0;
    };
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new IOException("unexpected end of file at byte " + pos);
      }
      pos += n;
    }
  }

  public Path path() {
    return path;
  }

  /** Tensor entries in header order. */
  public Map<String, Entry> entries() {
    return entries;
  }

  /** The header's {@code __metadata__} strings. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * {@code name} as a tensor: a 2-D {@code [rows, cols]} matrix or a 1-D vector (one row).
   *
   * @throws ModelFormatException when the tensor is missing, has another rank, or a dtype other
   *     than F32, F16, BF16
   */
  public FloatTensor tensor(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new ModelFormatException(path, -1, "tensor '" + name + "' is missing");
    }
    GgmlType type = switch (e.dtype()) {
      case "F32" -> GgmlType.F32;
      case "F16" -> GgmlType.F16;
      case "BF16" -> GgmlType.BF16;
      default -> throw new ModelFormatException(path, e.begin(), "tensor '" + name + "' has dtype " + e.dtype()
          + "; supported: F32, F16, BF16 (convert the checkpoint, or use a GGUF)");
    };
    long rows;
    long cols;
    if (e.shape().length == 2) {
      rows = e.shape()[0];
      cols = e.shape()[1];
    } else if (e.shape().length == 1) {
      rows = 1;
      cols = e.shape()[0];
    } else {
      throw new ModelFormatException(path, e.begin(), "tensor '" + name + "' has " + e.shape().length + " dimensions; expected a matrix or a vector");
    }
    return FloatTensor.of(path, e.begin(), name, type, data.asSlice(e.begin(), e.end() - e.begin()), rows, cols);
  }
}
