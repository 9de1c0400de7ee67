package org.recycledattention.model.testing;

import org.recycledattention.model.format.gguf.GgufModelReader;
import org.recycledattention.model.format.llama2c.Llama2cReader;
import org.recycledattention.model.format.safetensors.SafetensorsLoader;
import org.recycledattention.model.load.ModelLoader;

/** Model loaders for the model module's tests, which cannot use the engine's composition root. */
public final class Loaders {
  private Loaders() {}

  /** Every format, in the composition root's order, without tokenizers. */
  public static ModelLoader formats() {
    return ModelLoader.of(new SafetensorsLoader(), new GgufModelReader(), new Llama2cReader());
  }
}
