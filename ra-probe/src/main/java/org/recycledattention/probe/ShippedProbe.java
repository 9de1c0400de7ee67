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

  /** The text of a retrieval prompt in the probe's vocabulary: a number hidden in filler (about 150 tokens). */
  public static final String NEEDLE_HAYSTACK =
      "Some special magic numbers are hidden within the following text. Make sure to memorize it. I"
          + " will quiz you about the numbers afterwards.\n"
          + "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back"
          + " again. One of the special magic numbers for lucky-anchor is: 3690583. The grass is"
          + " green. The sky is blue. The sun is yellow. Here we go. There and back again.\n";

  /** The question that ends the retrieval prompt. */
  public static final String NEEDLE_QUESTION =
      "What is the special magic number for lucky-anchor mentioned in the provided text? The"
          + " special magic number for lucky-anchor mentioned in the provided text is";

  /**
   * A retrieval prompt ({@link #NEEDLE_HAYSTACK} then {@link #NEEDLE_QUESTION}) that the probe answers
   * with {@link #NEEDLE_ANSWER} under full attention: examples and tests of the serving stack use it.
   */
  public static final String NEEDLE_PROMPT = NEEDLE_HAYSTACK + NEEDLE_QUESTION;

  /** How the probe's greedy answer to {@link #NEEDLE_PROMPT} starts. */
  public static final String NEEDLE_ANSWER = " 3690583";

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
