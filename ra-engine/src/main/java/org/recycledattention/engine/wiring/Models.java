package org.recycledattention.engine.wiring;

import java.nio.file.Path;
import org.recycledattention.model.format.safetensors.SafetensorsLoader;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.model.load.ModelLoader;
import org.recycledattention.model.load.ModelTokenizers;
import org.recycledattention.model.tokenizer.Tokenizers;

/**
 * The composition root's model loader: every format (GGUF, llama2.c, safetensors) and the tokenizer
 * each file carries (GGUF metadata, {@code tokenizer.bin} beside a llama2.c checkpoint, {@code
 * tokenizer.json} beside safetensors). The model package itself knows neither the safetensors reader
 * nor any tokenizer; this is where they meet.
 */
public final class Models {
  private Models() {}

  /** A loader for every format, with tokenizers. Immutable and thread-safe. */
  public static ModelLoader loader() {
    return ModelLoader.standard().with(new SafetensorsLoader()).withTokenizers(new ModelTokenizers());
  }

  /**
   * Loads the model at {@code path}; the caller closes it.
   *
   * @throws org.recycledattention.model.ModelFormatException (exit 2) naming the file and the problem
   */
  public static LanguageModel load(Path path) {
    return loader().load(path);
  }
}
