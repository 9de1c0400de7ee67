package org.recycledattention.engine.wiring;

import java.nio.file.Path;
import org.recycledattention.engine.model.LanguageModel;
import org.recycledattention.engine.model.ModelLoader;
import org.recycledattention.engine.safetensors.SafetensorsLoader;
import org.recycledattention.engine.tokenizer.Tokenizers;

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
    return ModelLoader.standard().with(new SafetensorsLoader()).withTokenizers(Tokenizers.forModels());
  }

  /**
   * Loads the model at {@code path}; the caller closes it.
   *
   * @throws org.recycledattention.engine.model.ModelFormatException (exit 2) naming the file and the problem
   */
  public static LanguageModel load(Path path) {
    return loader().load(path);
  }
}
