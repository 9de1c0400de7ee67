package org.recycledattention.eval.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.recycledattention.api.RaException;
import org.recycledattention.model.io.OutputFiles;

/**
 * Writes report files completely or not at all, with the project's output-path rules ({@link
 * OutputFiles}: a temporary sibling, then an atomic rename; never a special file, never through a
 * symbolic link out of the report directory).
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Something that writes a whole file to a stream. */
  @FunctionalInterface
  public interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  public static void writeString(Path target, String text) {
    write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Writes {@code target} through a temporary file in the same folder and renames it into place.
   * On failure the temporary file is deleted and {@code target} is left as it was.
   *
   * @throws RaException naming the file when it cannot be written
   */
  public static void write(Path target, Writer writer) {
    OutputFiles.write(target, writer::writeTo);
  }
}
