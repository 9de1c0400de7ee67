package org.recycledattention.model.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.recycledattention.model.format.LoadedWeights;
import org.recycledattention.model.tokenizer.Tokenizer;
import org.recycledattention.model.tokenizer.Tokenizers;

/**
 * The tokenizer each format carries: GGUF from its {@code tokenizer.ggml.*} metadata; safetensors
 * from {@code tokenizer.json} in the model directory; llama2.c from a {@code tokenizer.bin} beside
 * the checkpoint. Empty when the model carries none of these.
 */
public final class ModelTokenizers implements TokenizerFactory {
  /** {@code tokenizer.ggml.model} values of GGUFs without a vocabulary. */
  private static final Set<String> NO_VOCAB = Set.of("none", "no_vocab");

  @Override
  public Optional<Tokenizer> create(LoadedWeights loaded) {
    Path source = loaded.source();
    Path dir = Files.isDirectory(source) ? source : source.toAbsolutePath().getParent();
    return switch (loaded.format()) {
      case GGUF -> loaded.metadata().get("tokenizer.ggml.model") instanceof String model && !NO_VOCAB.contains(model)
          ? Optional.of(Tokenizers.fromGgufMetadata(loaded.metadata(), source)) : Optional.empty();
      case SAFETENSORS -> dir != null && Files.isRegularFile(dir.resolve("tokenizer.json"))
          ? Optional.of(Tokenizers.fromTokenizerJson(dir.resolve("tokenizer.json"))) : Optional.empty();
      case LLAMA2C -> dir != null && Files.isRegularFile(dir.resolve("tokenizer.bin"))
          ? Optional.of(Tokenizers.fromLlama2cFile(dir.resolve("tokenizer.bin"), loaded.config().vocabSize())) : Optional.empty();
    };
  }
}
