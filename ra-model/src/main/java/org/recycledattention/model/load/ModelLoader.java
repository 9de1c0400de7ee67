package org.recycledattention.model.load;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.format.FileAccess;
import org.recycledattention.model.format.LoadedWeights;
import org.recycledattention.model.format.ModelFormat;
import org.recycledattention.model.format.ModelReader;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.tokenizer.Tokenizer;

/**
 * Opens a model file whatever its format: asks each registered {@link ModelReader}, in registration
 * order, whether it recognises the path ({@link #detect}), reads it with the first that does, builds its
 * tokenizer with the {@link TokenizerFactory} and returns a {@link LlamaModel}.
 *
 * <p>The tokenizer the file carries must cover the embedding exactly: a tokenizer with more tokens
 * than the embedding has rows is refused, and so is one with fewer, except for safetensors, whose
 * Hugging Face checkpoints pad the embedding (the padding rows then decode to nothing).
 *
 * <p>The loader knows no format: the composition root ({@code engine.wiring.Models}) registers the
 * readers. Files are memory-mapped unless {@link #withFileAccess} says otherwise. Immutable and
 * thread-safe.
 */
public final class ModelLoader {
  private final List<ModelReader> readers;
  private final TokenizerFactory tokenizers;
  private final FileAccess access;

  private ModelLoader(List<ModelReader> readers, TokenizerFactory tokenizers, FileAccess access) {
    this.readers = List.copyOf(readers);
    this.tokenizers = tokenizers;
    this.access = access;
  }

  /** A loader for these formats, tried in this order, without tokenizers. */
  public static ModelLoader of(ModelReader... readers) {
    return new ModelLoader(List.of(readers), TokenizerFactory.NONE, FileAccess.MAPPED);
  }

  /** A loader that also reads {@code reader.format()} (replacing any reader for that format), tried last. */
  public ModelLoader with(ModelReader reader) {
    requireNonNull(reader, "reader is null");
    List<ModelReader> all = new ArrayList<>(readers.stream().filter(r -> r.format() != reader.format()).toList());
    all.add(reader);
    return new ModelLoader(all, tokenizers, access);
  }

  /** A loader that builds tokenizers with {@code factory}. */
  public ModelLoader withTokenizers(TokenizerFactory factory) {
    return new ModelLoader(readers, requireNonNull(factory, "factory is null"), access);
  }

  /** A loader that opens model files as {@code fileAccess} says (mapped, the default, or read into memory). */
  public ModelLoader withFileAccess(FileAccess fileAccess) {
    return new ModelLoader(readers, tokenizers, requireNonNull(fileAccess, "fileAccess is null"));
  }

  /**
   * Reads the model at {@code path}. The caller closes it.
   *
   * @throws ModelFormatException when no reader recognises the path, or the file is malformed
   */
  public LlamaModel load(Path path) {
    LoadedWeights loaded = reader(path).read(path, access);
    try {
      Tokenizer tokenizer = tokenizers.create(loaded).map(t -> coveringTheEmbedding(loaded, t)).orElse(null);
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
   * {@code tokenizer} checked against the embedding: the model must be able to embed every token
   * the tokenizer makes, and the tokenizer must decode every token the model can predict.
   */
  private static Tokenizer coveringTheEmbedding(LoadedWeights loaded, Tokenizer tokenizer) {
    int tokens = tokenizer.vocabSize();
    int rows = loaded.config().vocabSize();
    if (tokens == rows) {
      return tokenizer;
    }
    if (tokens < rows && loaded.format() == ModelFormat.SAFETENSORS) {
      return new PaddedVocabulary(tokenizer, rows);
    }
    throw new ModelFormatException(loaded.source(), -1, "the tokenizer has " + tokens + " tokens but the token embedding has " + rows
        + " rows; they must be equal, or the model would " + (tokens > rows ? "be given tokens it cannot embed" : "predict tokens that have no text")
        + ": the file is inconsistent");
  }

  /**
   * The format of {@code path}.
   *
   * @throws ModelFormatException when the file is missing, unreadable or of no registered format
   */
  public ModelFormat detect(Path path) {
    return reader(path).format();
  }

  private ModelReader reader(Path path) {
    requireNonNull(path, "path is null");
    boolean directory = Files.isDirectory(path);
    if (!directory && !Files.exists(path)) {
      throw new ModelFormatException(path, -1, "no such file; expected " + expectations());
    }
    if (!directory && !Files.isRegularFile(path)) {
      // never opened: reading a FIFO would block, a device would never end
      throw new ModelFormatException(path, -1, "not a regular file (a FIFO, socket or device); expected " + expectations());
    }
    ByteBuffer head = ByteBuffer.allocate(0);
    long size = -1;
    if (!directory) {
      byte[] bytes = new byte[ModelReader.HEAD_BYTES];
      int read;
      try (InputStream in = Files.newInputStream(path)) {
        size = Files.size(path);
        read = in.readNBytes(bytes, 0, bytes.length);
      } catch (IOException e) {
        throw new ModelFormatException(path, -1, "cannot read the file: " + e.getMessage(), e);
      }
      head = ByteBuffer.wrap(bytes, 0, read).slice().order(ByteOrder.LITTLE_ENDIAN);
    }
    for (ModelReader r : readers) {
      if (r.recognizes(path, head.duplicate().order(ByteOrder.LITTLE_ENDIAN), size)) {
        return r;
      }
    }
    throw new ModelFormatException(path, directory ? -1 : 0, "unknown model format: expected " + expectations());
  }

  private String expectations() {
    List<String> e = readers.stream().map(ModelReader::expected).toList();
    return e.isEmpty() ? "a model format, but no reader is registered" : e.size() == 1 ? e.getFirst()
        : String.join(", ", e.subList(0, e.size() - 1)) + " or " + e.getLast();
  }

  /** The formats this loader reads, in the order it tries them. */
  public List<ModelFormat> formats() {
    return readers.stream().map(ModelReader::format).toList();
  }
}
