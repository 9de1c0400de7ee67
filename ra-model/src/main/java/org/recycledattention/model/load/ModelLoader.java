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
 * <p>The loader knows no format: the composition root ({@code engine.wiring.Models}) registers the
 * readers. Immutable and thread-safe.
 */
public final class ModelLoader {
  private final List<ModelReader> readers;
  private final TokenizerFactory tokenizers;

  private ModelLoader(List<ModelReader> readers, TokenizerFactory tokenizers) {
    this.readers = List.copyOf(readers);
    this.tokenizers = tokenizers;
  }

  /** A loader for these formats, tried in this order, without tokenizers. */
  public static ModelLoader of(ModelReader... readers) {
    return new ModelLoader(List.of(readers), TokenizerFactory.NONE);
  }

  /** A loader that also reads {@code reader.format()} (replacing any reader for that format), tried last. */
  public ModelLoader with(ModelReader reader) {
    requireNonNull(reader, "reader is null");
    List<ModelReader> all = new ArrayList<>(readers.stream().filter(r -> r.format() != reader.format()).toList());
    all.add(reader);
    return new ModelLoader(all, tokenizers);
  }

  /** A loader that builds tokenizers with {@code factory}. */
  public ModelLoader withTokenizers(TokenizerFactory factory) {
    return new ModelLoader(readers, requireNonNull(factory, "factory is null"));
  }

  /**
   * Reads the model at {@code path}. The caller closes it.
   *
   * @throws ModelFormatException when no reader recognises the path, or the file is malformed
   */
  public LlamaModel load(Path path) {
    LoadedWeights loaded = reader(path).read(path);
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
   * @throws ModelFormatException when the file is missing, unreadable or of no registered format
   */
  public ModelFormat detect(Path path) {
    return reader(path).format();
  }

  private ModelReader reader(Path path) {
    requireNonNull(path, "path is null");
    boolean directory = Files.isDirectory(path);
    if (!directory && !Files.isRegularFile(path)) {
      throw new ModelFormatException(path, -1, "no such file; expected " + expectations());
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
