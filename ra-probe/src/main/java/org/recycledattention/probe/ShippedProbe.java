package org.recycledattention.probe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The retrieval probe model that ships with {@code ra}: a small Llama in GGUF, trained by {@code ra
 * train-probe} (ra-train) and committed as {@value #RESOURCE}. {@code ra demo} runs on it.
 */
public final class ShippedProbe {
  /** The class-path resource that holds the model. */
  public static final String RESOURCE = "/org/recycledattention/probe/probe.gguf";

  private ShippedProbe() {}

  /**
   * Copies the model to {@code file} (replacing it), so that it can be memory-mapped.
   *
   * @return false, writing nothing, when the resource is not on the class path (a broken build)
   * @throws UncheckedIOException when {@code file} cannot be written
   */
  public static boolean copyTo(Path file) {
    try (InputStream in = ShippedProbe.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return false;
      }
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the built-in probe model to " + file + ": " + e.getMessage(), e);
    }
  }
}
