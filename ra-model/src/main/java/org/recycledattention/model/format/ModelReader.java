package org.recycledattention.model.format;

import java.nio.file.Path;

/**
 * Reads one {@link ModelFormat}: maps the weights and builds the configuration. The extension
 * point of {@code ModelLoader}: GGUF and llama2.c readers are built in; the safetensors reader
 * ({@code engine.safetensors}) implements this interface too.
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface ModelReader {
  ModelFormat format();

  /**
   * Reads {@code path}.
   *
   * @throws ModelFormatException naming the file and byte offset of anything malformed
   */
  LoadedWeights read(Path path);
}
