package org.recycledattention.model.load;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.format.LoadedWeights;
import org.recycledattention.model.format.ModelFormat;
import org.recycledattention.model.format.ModelReader;
import org.recycledattention.model.format.gguf.GgufFile;
import org.recycledattention.model.format.gguf.GgufModelReader;
import org.recycledattention.model.format.llama2c.Llama2cReader;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.tokenizer.Tokenizer;

/**
 * Opens a model file whatever its format: detects the format ({@link #detect}), reads it with the
 * {@link ModelReader} registered for it and builds a {@link LlamaModel}.
 *
 * <p>Detection: a directory or a {@code *.safetensors} file is {@link ModelFormat#SAFETENSORS};
 * a file starting with the GGUF magic is {@link ModelFormat#GGUF}; a file whose first 28 bytes
 * are a llama2.c header that implies exactly the file's size is {@link ModelFormat#LLAMA2C}.
 *
 * <p>GGUF and llama2.c readers are built in; the safetensors reader is registered with {@link
 * #with}. Immutable and thread-safe.
 */
public final class ModelLoader {
  private final Map<ModelFormat, ModelReader> readers;
  private final TokenizerFactory tokenizers;

  private ModelLoader(Map<ModelFormat, ModelReader> readers, TokenizerFactory tokenizers) {
    this.readers = readers;
    this.tokenizers = tokenizers;
  }

  /** GGUF and llama2.c, no tokenizer. */
  public static ModelLoader standard() {
    Map<ModelFormat, ModelReader> m = new EnumMap<>(ModelFormat.class);
    m.put(ModelFormat.GGUF, new GgufModelReader());
    m.put(ModelFormat.LLAMA2C, new Llama2cReader());
    return new ModelLoader(m, TokenizerFactory.NONE);
  }

  /** A loader that also reads {@code reader.format()} (replacing any reader for that format). */
  public ModelLoader with(ModelReader reader) {
    requireNonNull(reader, "reader is null");
    Map<ModelFormat, ModelReader> m = new EnumMap<>(readers);
    m.put(reader.format(), reader);
    return new ModelLoader(m, tokenizers);
  }

  /** A loader that builds tokenizers with {@code factory}. */
  public ModelLoader withTokenizers(TokenizerFactory factory) {
    return new ModelLoader(readers, requireNonNull(factory, "factory is null"));
  }

  /** {@link #standard()}{@code .load(path)}. */
  public static LlamaModel loadModel(Path path) {
    return standard().load(path);
  }

  /**
   * Reads the model at {@code path}. The caller closes it.
   *
   * @throws ModelFormatException when the format is unknown, has no reader here, or the file is malformed
   */
  public LlamaModel load(Path path) {
    requireNonNull(path, "path is null");
    ModelFormat format = detect(path);
    ModelReader reader = readers.get(format);
    if (reader == null) {
      throw new ModelFormatException(path, -1, "this is a " + format + " model, but no reader for " + format
          + " is registered; use the ra-engine composition root (which registers every format) or ModelLoader.with(reader)");
    }
    LoadedWeights loaded = reader.read(path);
    try {
      Tokenizer tokenizer = tokenizers.create(loaded).orElse(null);
      return new LlamaModel(loaded, tokenizer);
    } catch (RuntimeException | Error e) {
      try {
        loaded.resources().close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * The format of {@code path}.
   *
   * @throws ModelFormatException when the file is missing, unreadable or of no known format
   */
  public static ModelFormat detect(Path path) {
    requireNonNull(path, "path is null");
    if (Files.isDirectory(path) || path.getFileName() != null && path.getFileName().toString().endsWith(".safetensors")) {
      return ModelFormat.SAFETENSORS;
    }
    if (!Files.isRegularFile(path)) {
      throw new ModelFormatException(path, -1, "no such file; expected a GGUF file, a llama2.c .bin or a safetensors directory");
    }
    byte[] head = new byte[Llama2cReader.HEADER_BYTES];
    long size;
    int read;
    try (InputStream in = Files.newInputStream(path)) {
      size = Files.size(path);
      read = in.readNBytes(head, 0, head.length);
    } catch (IOException e) {
      throw new ModelFormatException(path, -1, "cannot read the file: " + e.getMessage(), e);
    }
    ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
    if (read >= 4 && b.getInt(0) == GgufFile.MAGIC) {
      return ModelFormat.GGUF;
    }
    if (read == head.length) {
      Llama2cReader.Header h = Llama2cReader.header(java.lang.foreign.MemorySegment.ofArray(head));
      if (h != null && h.expectedFileSize() == size) {
        return ModelFormat.LLAMA2C;
      }
      if (h != null && h.expectedFileSize() > 0) {
        throw new ModelFormatException(path, 0, "looks like a llama2.c checkpoint with header " + h + ", which implies " + h.expectedFileSize()
            + " bytes, but the file has " + size + "; the file is truncated or corrupt");
      }
    }
    throw new ModelFormatException(path, 0, "unknown model format: expected a GGUF file (magic \"GGUF\"), a llama2.c .bin (a header that matches "
        + "the file size) or a safetensors model (a directory or *.safetensors)");
  }

  /** The formats this loader reads. */
  public List<ModelFormat> formats() {
    return List.copyOf(readers.keySet());
  }
}
