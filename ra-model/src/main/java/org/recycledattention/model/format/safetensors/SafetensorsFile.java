package org.recycledattention.model.format.safetensors;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.recycledattention.model.ModelFileChangedException;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.format.ModelFiles;
import org.recycledattention.model.io.SafeText;
import org.recycledattention.model.tensor.FloatTensor;
import org.recycledattention.model.tensor.GgmlType;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length {@code N}, {@code N} bytes
 * of JSON ({@code name -> {dtype, shape, data_offsets: [begin, end]}}, offsets relative to the end
 * of the header), then the data. The header is read and checked first (shapes are non-negative
 * integers, every tensor lies within the data section and no two share bytes), then the file is
 * opened through the caller's {@link ModelFiles} (mapped or read); tensors are views of it.
 *
 * <p>Immutable and thread-safe; valid while the {@link ModelFiles} is open.
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
   * Reads the header of {@code path}, checks every entry against the file size, then opens the file
   * through {@code files} (mapped or read into memory, as {@code files} says).
   *
   * @throws ModelFormatException naming the byte offset or tensor that is wrong
   */
  public static SafetensorsFile open(Path path, ModelFiles files) {
    requireNonNull(path, "path is null");
    requireNonNull(files, "files is null");
    long size;
    Map<String, Entry> entries = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      size = ch.size();
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
      JsonNode root = parseHeader(path, header.array());
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
      checkNoOverlap(path, entries.values(), dataStart);
    } catch (IOException e) {
      throw new ModelFormatException(path, -1, "cannot read the file: " + SafeText.of(String.valueOf(e.getMessage())), e);
    }
    MemorySegment data = files.open(path);
    if (data.byteSize() != size) {
      throw new ModelFileChangedException(path, "its size went from " + size + " to " + data.byteSize() + " bytes while it was being opened", null);
    }
    return new SafetensorsFile(path, data, entries, metadata);
  }

  /**
   * The header as a JSON object. Text that is not UTF-8 is described by its first bytes, and a
   * parser's complaint is quoted safely, so that no binary reaches a message.
   */
  private static JsonNode parseHeader(Path path, byte[] header) {
    try {
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(header));
    } catch (CharacterCodingException e) {
      throw new ModelFormatException(path, 8, "the " + header.length + "-byte header is not JSON text: it is not UTF-8 (it starts with bytes "
          + SafeText.hex(header, 0, 16) + "); the file is not safetensors");
    }
    JsonNode root;
    try {
      root = JSON.readTree(header);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new ModelFormatException(path, 8, "header is not valid JSON: " + SafeText.of(e.getOriginalMessage())
          + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"), e);
    } catch (IOException e) {
      throw new ModelFormatException(path, 8, "header is not valid JSON: " + SafeText.of(String.valueOf(e.getMessage())), e);
    }
    if (root == null || !root.isObject()) {
      throw new ModelFormatException(path, 8, "header is not a JSON object");
    }
    return root;
  }

  /** No two tensors may share bytes: each tensor is its own data. */
  private static void checkNoOverlap(Path path, Collection<Entry> entries, long dataStart) {
    List<Entry> sorted = new ArrayList<>();
    for (Entry e : entries) {
      if (e.end() > e.begin()) {
        sorted.add(e);
      }
    }
    sorted.sort(Comparator.comparingLong(Entry::begin));
    for (int i = 1; i < sorted.size(); i++) {
      Entry before = sorted.get(i - 1);
      Entry e = sorted.get(i);
      if (e.begin() < before.end()) {
        throw new ModelFormatException(path, e.begin(), "the data of tensor '" + SafeText.of(e.name()) + "' (data_offsets [" + (e.begin() - dataStart)
            + ", " + (e.end() - dataStart) + "]) overlap those of tensor '" + SafeText.of(before.name()) + "' ([" + (before.begin() - dataStart) + ", "
            + (before.end() - dataStart) + "]); each tensor needs bytes of its own: the file is corrupt");
      }
    }
  }

  private static Entry entry(Path path, String name, JsonNode t, long dataStart, long dataBytes) {
    String quoted = "tensor '" + SafeText.of(name) + "'";
    if (!t.isObject()) {
      throw new ModelFormatException(path, 8, quoted + " is " + SafeText.of(t.toString()) + "; expected {dtype, shape, data_offsets}");
    }
    String dtype = t.path("dtype").asText("");
    JsonNode shapeNode = t.path("shape");
    JsonNode offsets = t.path("data_offsets");
    if (dtype.isEmpty() || !shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
      throw new ModelFormatException(path, 8, quoted + " needs dtype, shape and data_offsets [begin, end] in the header");
    }
    String shapeText = SafeText.of(shapeNode.toString());
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
        throw new ModelFormatException(path, 8, quoted + " has shape " + shapeText + "; expected non-negative integers");
      }
      shape[i] = d.asLong();
    }
    JsonNode b = offsets.get(0);
    JsonNode e = offsets.get(1);
    if (!b.isIntegralNumber() || !e.isIntegralNumber() || !b.canConvertToLong() || !e.canConvertToLong()) {
      throw new ModelFormatException(path, 8, quoted + " has data_offsets " + SafeText.of(offsets.toString()) + "; expected two integers");
    }
    long begin = b.asLong();
    long end = e.asLong();
    if (begin < 0 || end < begin || end > dataBytes) {
      throw new ModelFormatException(path, dataStart + Math.max(0, begin), quoted + " has data_offsets [" + begin + ", " + end
          + "] but the data section has " + dataBytes + " bytes; the file is truncated or corrupt");
    }
    Entry entry = new Entry(name, dtype, shape, dataStart + begin, dataStart + end);
    int width = dtypeBytes(dtype);
    if (width > 0) {
      long elements;
      try {
        elements = entry.elements();
      } catch (ArithmeticException overflow) {
        throw new ModelFormatException(path, dataStart + begin, quoted + " has shape " + shapeText + ", too many elements");
      }
      if (elements > Long.MAX_VALUE / width || elements * width != end - begin) {
        throw new ModelFormatException(path, dataStart + begin, quoted + " (" + SafeText.of(dtype) + ", shape " + shapeText + ") needs "
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
      throw new ModelFormatException(path, -1, "tensor '" + SafeText.of(name) + "' is missing");
    }
    GgmlType type = switch (e.dtype()) {
      case "F32" -> GgmlType.F32;
      case "F16" -> GgmlType.F16;
      case "BF16" -> GgmlType.BF16;
      default -> throw new ModelFormatException(path, e.begin(), "tensor '" + SafeText.of(name) + "' has dtype " + SafeText.of(e.dtype())
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
      throw new ModelFormatException(path, e.begin(), "tensor '" + SafeText.of(name) + "' has " + e.shape().length + " dimensions; expected a matrix or a vector");
    }
    return FloatTensor.of(path, e.begin(), name, type, data.asSlice(e.begin(), e.end() - e.begin()), rows, cols);
  }
}
