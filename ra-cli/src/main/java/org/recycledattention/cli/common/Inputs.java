package org.recycledattention.cli.common;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks of command-line inputs that several commands take. Every failure is a {@link UsageException} (exit 2). */
public final class Inputs {
  private Inputs() {}

  /**
   * Checks a {@code --model} path before anything is loaded: it exists, is readable, and a directory holds {@code config.json}.
   *
   * @throws UsageException naming the path and what to pass instead
   */
  public static void checkModelPath(Path model) {
    if (!Files.exists(model)) {
      throw new UsageException("model file '" + model + "' does not exist; pass a .gguf file, a llama2.c .bin or a safetensors directory to --model");
    }
    if (Files.isDirectory(model) && !Files.isRegularFile(model.resolve("config.json"))) {
      throw new UsageException("model path '" + model + "' is a directory without config.json; pass a .gguf or llama2.c .bin file, "
          + "or a Hugging Face safetensors directory (config.json, *.safetensors)");
    }
    if (!Files.isReadable(model)) {
      throw new UsageException("model file '" + model + "' is not readable; check its permissions");
    }
  }

  /** Parses {@code --prompt-ids}: comma-separated non-negative integers. */
  public static int[] parseIds(String text) {
    String[] parts = text.split(",", -1);
    int[] ids = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i].strip();
      try {
        ids[i] = Integer.parseInt(p);
      } catch (NumberFormatException e) {
        ids[i] = -1;
      }
      if (ids[i] < 0) {
        throw new UsageException(text.isBlank() ? "--prompt-ids is empty; expected comma-separated token ids such as 1,2,3"
            : "malformed --prompt-ids '" + text + "': '" + p + "' is not a token id; expected comma-separated non-negative integers such as 1,2,3");
      }
    }
    return ids;
  }
}
