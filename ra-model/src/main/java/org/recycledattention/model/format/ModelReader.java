package org.recycledattention.model.format;

import java.nio.file.Path;

/**
 * Reads one {@link ModelFormat}: opens the weights (mapped, or read into memory; see {@link
 * FileAccess}) and builds the configuration. The extension point of {@code ModelLoader}: GGUF,
 * llama2.c and safetensors readers implement it.
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface ModelReader {
  ModelFormat format();

  /**
   * Reads {@code path}, opening its files as {@code access} says (through a {@link ModelFiles} that
   * the result's {@code resources} close and whose changes the model checks).
   *
   * @throws org.recycledattention.model.ModelFormatException naming the file and byte offset of
   *     anything malformed
   */
  LoadedWeights read(Path path, FileAccess access);

  /** {@link #read(Path, FileAccess)} with the files memory-mapped. */
  default LoadedWeights read(Path path) {
    return read(path, FileAccess.MAPPED);
  }
}
