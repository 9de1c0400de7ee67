package org.recycledattention.model;

import java.nio.file.Path;
import org.recycledattention.api.RaException;
import org.recycledattention.model.io.SafeText;

/**
 * A model file changed (was truncated, overwritten or rewritten) while a model read it through a
 * memory mapping, or while it was being read into memory. The data the model computes with is then
 * no longer the file's, so the run stops. Exit code 1 (a runtime failure: the input was valid when
 * it was loaded).
 */
public final class ModelFileChangedException extends RaException {
  private final Path file;

  /**
   * @param detail what was seen ("its size went from 4096 to 2048 bytes")
   */
  public ModelFileChangedException(Path file, String detail, Throwable cause) {
    super("model file '" + file + "' changed while in use (" + SafeText.of(detail) + "); a memory-mapped model must not be modified while ra"
        + " runs: let the command finish first, or pass --no-mmap to read the model into memory", cause);
    this.file = file;
  }

  public Path file() {
    return file;
  }
}
