package org.recycledattention.engine.fuzz;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.recycledattention.model.format.gguf.GgufFile;
import org.recycledattention.model.format.gguf.GgufTensorInfo;

/**
 * Edits valid model files in memory to make hostile ones that a writer would never produce: a GGUF
 * metadata value or tensor offset replaced in place, a safetensors header rewritten over the same
 * data section.
 */
final class ModelBytes {
  private ModelBytes() {}

  /** A GGUF file whose values are patched in place (same sizes, so every other offset stays valid). */
  static final class Gguf {
    private final byte[] bytes;

    Gguf(byte[] gguf) {
      this.bytes = gguf.clone();
    }

    /** Where the value of metadata {@code key} starts (after its 4-byte type). */
    private int valueAt(String key) {
      byte[] k = key.getBytes(StandardCharsets.UTF_8);
      byte[] needle = ByteBuffer.allocate(8 + k.length).order(ByteOrder.LITTLE_ENDIAN).putLong(k.length).put(k).array();
      for (int i = 0; i + needle.length <= bytes.length; i++) {
        if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
          return i + needle.length + 4;
        }
      }
      throw new IllegalArgumentException("no metadata key " + key);
    }

    /** Replaces a UINT32 value. */
    Gguf u32(String key, long value) {
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(valueAt(key), (int) value);
      return this;
    }

    /** Replaces a FLOAT32 value. */
    Gguf f32(String key, float value) {
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putFloat(valueAt(key), value);
      return this;
    }

    /** Points tensor {@code name}'s data at tensor {@code other}'s. */
    Gguf sameDataAs(String name, String other) {
      GgufFile f = GgufFile.parse(Path.of("patch.gguf"), MemorySegment.ofArray(bytes), null);
      GgufTensorInfo t = f.tensors().get(name);
      long relative = f.tensors().get(other).offset() - f.dataOffset();
      int field = (int) (t.infoOffset() + 8 + name.getBytes(StandardCharsets.UTF_8).length + 4 + 8L * t.dims().length + 4);
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(field, relative);
      return this;
    }

    byte[] bytes() {
      return bytes.clone();
    }
  }

  /**
   * A safetensors file whose JSON header is edited by {@code edit} and written back, padded to 8
   * bytes; the data section is kept, so offsets keep their meaning.
   */
  static byte[] safetensors(byte[] file, Consumer<ObjectNode> edit) {
    try {
      ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
      int headerLength = (int) b.getLong(0);
      ObjectMapper json = new ObjectMapper();
      ObjectNode header = (ObjectNode) json.readTree(Arrays.copyOfRange(file, 8, 8 + headerLength));
      edit.accept(header);
      byte[] text = json.writeValueAsBytes(header);
      int padded = (text.length + 7) / 8 * 8;
      ByteBuffer out = ByteBuffer.allocate(8 + padded + file.length - 8 - headerLength).order(ByteOrder.LITTLE_ENDIAN);
      out.putLong(padded).put(text);
      for (int i = text.length; i < padded; i++) {
        out.put((byte) ' ');
      }
      out.put(file, 8 + headerLength, file.length - 8 - headerLength);
      return out.array();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
