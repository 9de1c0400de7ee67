package org.recycledattention.model.load;

import java.util.Optional;
import org.recycledattention.model.format.LoadedWeights;
import org.recycledattention.model.tokenizer.Tokenizer;

/**
 * Builds the tokenizer a model file carries (GGUF's {@code tokenizer.ggml.*} metadata, a {@code
 * tokenizer.json} next to safetensors, ...). Supplied to {@link ModelLoader} by the composition
 * root, so that the model package does not depend on any tokenizer implementation.
 */
@FunctionalInterface
public interface TokenizerFactory {
  /** No tokenizer: models work on token ids only. */
  TokenizerFactory NONE = loaded -> Optional.empty();

  /**
   * The tokenizer of {@code loaded}, or empty when it has none.
   *
   * @throws ModelFormatException when tokenizer data is present but malformed
   */
  Optional<Tokenizer> create(LoadedWeights loaded);
}
