package org.recycledattention.model.format;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.recycledattention.model.ModelFormatException;

/**
 * Reads one {@link ModelFormat}: recognises its files, opens the weights (mapped, or read into
 * memory; see {@link FileAccess}) and builds the configuration. The extension point of the model
 * loader ({@code model.load.ModelLoader}), which knows no format: the composition root registers the
 * readers (GGUF, llama2.c, safetensors).
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface ModelReader {
  ModelFormat format();

  /**
   * Whether {@code path} holds this format.
   *
   * @param head the file's first bytes (at most {@link #HEAD_BYTES}, fewer for a short file), little
   *     endian; empty for a directory
   * @param size the file's size in bytes, -1 for a directory
   * @throws ModelFormatException when the file is recognisably this format but cannot be (a truncated file)
   */
  boolean recognizes(Path path, ByteBuffer head, long size);

  /** What a file of this format looks like, for the message about a file nobody recognises. */
  String expected();

  /**
   * Reads {@code path}, opening its files as {@code access} says (through a {@link ModelFiles} that
   * the result's {@code resources} close and whose changes the model checks).
   *
   * @throws ModelFormatException naming the file and byte offset of
   *     anything malformed
   */
  LoadedWeights read(Path path, FileAccess access);

  /** {@link #read(Path, FileAccess)} with the files memory-mapped. */
  default LoadedWeights read(Path path) {
    return read(path, FileAccess.MAPPED);
  }

  /** The most bytes {@link #recognizes} is given. */
  int HEAD_BYTES = 64;
}
