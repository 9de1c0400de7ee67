package org.recycledattention.model;

import java.nio.file.Path;
import org.recycledattention.api.RaException;

/**
 * A model, tokenizer or config file that cannot be read: names the file, the byte offset (or -1
 * when not applicable) and what was expected. Exit code 2 (bad input).
 */
public final class ModelFormatException extends RaException {
  private final Path file;
  private final long offset;

  public ModelFormatException(Path file, long offset, String problem) {
    this(file, offset, problem, null);
  }

  public ModelFormatException(Path file, long offset, String problem, Throwable cause) {
    super(file + (offset >= 0 ? " (at byte " + offset + ")" : "") + ": " + problem, cause, USAGE_ERROR);
    this.file = file;
    this.offset = offset;
  }

  public Path file() {
    return file;
  }

  /** Byte offset of the problem, or -1. */
  public long offset() {
    return offset;
  }
}
