package org.recycledattention.engine.model;

import java.nio.file.Path;
import java.util.Optional;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.engine.tokenizer.Tokenizer;

/**
 * A loaded Llama-family model: memory-mapped, read-only weights and the forward pass over them.
 *
 * <p>Thread-safe: one model serves any number of sequences at once; each sequence has its own
 * {@link org.recycledattention.api.cache.KvCache} and policy. {@link #close()} unmaps the file.
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

  @Override
  void close();
}
