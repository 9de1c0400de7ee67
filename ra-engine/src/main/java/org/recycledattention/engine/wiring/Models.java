package org.recycledattention.engine.wiring;

import java.nio.file.Path;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.format.FileAccess;
import org.recycledattention.model.format.gguf.GgufModelReader;
import org.recycledattention.model.format.llama2c.Llama2cReader;
import org.recycledattention.model.format.safetensors.SafetensorsLoader;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.model.load.ModelLoader;
import org.recycledattention.model.load.ModelTokenizers;

/**
 * The composition root's model loader: every format (safetensors directories and files first, by name;
 * then GGUF, by its magic; then llama2.c, by a header that matches the file size) and the tokenizer each
 * file carries (GGUF metadata, {@code tokenizer.json} beside safetensors, {@code tokenizer.bin} beside a
 * llama2.c checkpoint). The model module knows no format registry; this is where readers and tokenizers
 * are chosen.
 */
public final class Models {
  private Models() {}

  /** A loader for every format, with tokenizers. Immutable and thread-safe. */
  public static ModelLoader loader() {
    return ModelLoader.of(new SafetensorsLoader(), new GgufModelReader(), new Llama2cReader()).withTokenizers(new ModelTokenizers());
  }

  /**
   * Loads the model at {@code path}; the caller closes it.
   *
   * @throws ModelFormatException (exit 2) naming the file and the problem
   */
  public static LanguageModel load(Path path) {
    return loader().load(path);
  }

  /**
   * Loads the model at {@code path} with its files opened as {@code access} says (mapped, or read
   * into memory); the caller closes it.
   *
   * @throws ModelFormatException (exit 2) naming the file and the problem
   */
  public static LanguageModel load(Path path, FileAccess access) {
    return loader().withFileAccess(access).load(path);
  }
}
