package org.recycledattention.model.format.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes safetensors files for tests: header JSON (padded to 8 bytes) + raw little-endian data. */
public final class SafetensorsWriter {
  private record Tensor(String name, String dtype, long[] shape, byte[] data) {}

  private final List<Tensor> tensors = new ArrayList<>();

  /** Adds {@code values} (row-major, shape {@code shape}) stored as {@code dtype} (F32, F16 or BF16). */
  public SafetensorsWriter add(String name, String dtype, float[] values, long... shape) {
    int width = dtype.equals("F32") ? 4 : 2;
    ByteBuffer b = ByteBuffer.allocate(values.length * width).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      switch (dtype) {
        case "F32" -> b.putFloat(v);
        case "F16" -> b.putShort(Float.floatToFloat16(v));
        case "BF16" -> b.putShort(bf16(v));
        default -> throw new IllegalArgumentException(dtype);
      }
    }
    tensors.add(new Tensor(name, dtype, shape, b.array()));
    return this;
  }

  /** Adds raw bytes with any dtype name (for malformed-file tests). */
  public SafetensorsWriter addRaw(String name, String dtype, byte[] data, long... shape) {
    tensors.add(new Tensor(name, dtype, shape, data));
    return this;
  }

  /** Round-to-nearest-even f32 -> bf16, as PyTorch converts. */
  public static short bf16(float v) {
    int bits = Float.floatToRawIntBits(v);
    return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
  }

  public static float fromBf16(short s) {
    return Float.intBitsToFloat((s & 0xFFFF) << 16);
  }

  /** The value {@code v} becomes when stored as {@code dtype}. */
  public static float stored(String dtype, float v) {
    return switch (dtype) {
      case "F16" -> Float.float16ToFloat(Float.floatToFloat16(v));
      case "BF16" -> fromBf16(bf16(v));
      default -> v;
    };
  }

  public List<String> names() {
    return tensors.stream().map(Tensor::name).toList();
  }

  public void write(Path file) throws IOException {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("__metadata__", Map.of("format", "pt"));
    long offset = 0;
    for (Tensor t : tensors) {
      header.put(t.name, Map.of("dtype", t.dtype, "shape", t.shape, "data_offsets", List.of(offset, offset + t.data.length)));
      offset += t.data.length;
    }
    byte[] json = new ObjectMapper().writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    byte[] headerBytes = new byte[padded];
    java.util.Arrays.fill(headerBytes, (byte) ' ');
    System.arraycopy(json, 0, headerBytes, 0, json.length);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
      out.write(headerBytes);
      for (Tensor t : tensors) {
        out.write(t.data);
      }
    }
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
