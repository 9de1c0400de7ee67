package org.recycledattention.model.llama;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.model.NumericalException;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.tensor.Parallel;
import org.recycledattention.model.tokenizer.Tokenizer;

/**
 * A loaded Llama-family model: memory-mapped, read-only weights and the forward pass over them.
 *
 * <p>Thread-safe: one model serves any number of sequences at once; each sequence has its own
 * {@link SequenceState} and {@link Attention}. {@link #close()} unmaps the file.
 */
public interface LanguageModel extends AutoCloseable {
  /** Attention geometry (layers, heads, KV heads, head dim, context length). */
  ModelShape shape();

  /** Full hyper-parameters (dim, ffn, vocab, RoPE, norms, architecture). */
  ModelConfig config();

  /** The tokenizer the file carries, if any. */
  Optional<Tokenizer> tokenizer();

  /** The file (or directory) it was loaded from. */
  Path source();

  /** One line: format, architecture, size, weight type. */
  String description();

  /**
   * The file's raw metadata (GGUF key/values such as {@code tokenizer.chat_template}; the parsed
   * {@code config.json} of safetensors), read-only; empty when the format has none.
   */
  default Map<String, Object> metadata() {
    return Map.of();
  }

  /**
   * A new sequence whose attention is {@code attention}.
   *
   * @param maxChunk the most tokens one {@link #forward} call takes (the prefill chunk size)
   */
  SequenceState newState(Attention attention, Parallel parallel, int maxChunk);

  /**
   * Runs {@code count} tokens {@code tokens[from ..]} at positions {@code position ..} through the
   * model (their keys and values go to the state's {@link Attention}) and leaves the logits of the
   * last one in {@link SequenceState#logits()}.
   *
   * @throws IllegalArgumentException when a token id is outside the vocabulary or count exceeds the chunk size
   * @throws NumericalException when a layer's output or the logits are not finite
   */
  void forward(SequenceState state, int[] tokens, int from, int count, int position);

  @Override
  void close();
}
