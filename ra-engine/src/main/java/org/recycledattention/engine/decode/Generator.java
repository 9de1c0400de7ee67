package org.recycledattention.engine.decode;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.model.tokenizer.Tokenizer;

/**
 * Generates tokens: prefill with full attention, then one {@link Session#step} per token with the
 * policy's plans, sampling each next token with a {@link Sampler}. Stops at {@code maxTokens}, or
 * at the tokenizer's end-of-sequence id when the request says so.
 *
 * <p>Thread-safe: every {@link #generate} call has its own session (cache, policy, sampler).
 */
public final class Generator {
  private final LanguageModel model;
  private final KvCacheBackend backend;
  private final PolicyFactory policy;
  private final int threads;

  /**
   * @param threads threads for the dense kernels of each generation, >= 1
   */
  public Generator(LanguageModel model, KvCacheBackend backend, PolicyFactory policy, int threads) {
    this.model = requireNonNull(model, "model is null");
    this.backend = requireNonNull(backend, "backend is null");
    this.policy = requireNonNull(policy, "policy is null");
    if (threads < 1) {
      throw new GenerationException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
  }

  /**
   * Runs {@code request}, passing each token to {@code listener} as soon as it is chosen.
   *
   * @throws GenerationException (exit 2) for an empty prompt, an id outside the vocabulary, or a
   *     prompt plus {@code maxTokens} beyond the model's context length (unless the request allows it)
   * @throws org.recycledattention.model.NumericalException when the model produces NaN or infinity
   */
  public GenerationResult generate(GenerationRequest request, TokenListener listener) {
    requireNonNull(request, "request is null");
    requireNonNull(listener, "listener is null");
    int[] prompt = requireNonNull(request.promptIds(), "promptIds is null");
    if (prompt.length == 0) {
      throw new GenerationException("the prompt is empty; give at least one token (usually BOS)");
    }
    if (request.maxTokens() < 1) {
      throw new GenerationException("maxTokens must be >= 1, got " + request.maxTokens());
    }
    long needed = (long) prompt.length + request.maxTokens();
    int context = model.shape().contextLength();
    if (needed > context && !request.allowContextOverflow()) {
      throw new GenerationException("the prompt (" + prompt.length + " tokens) plus " + request.maxTokens() + " new tokens need " + needed
          + " positions but the model's context length is " + context + "; shorten the prompt, lower max tokens, or allow context overflow");
    }
    if (needed > Integer.MAX_VALUE - 8) {
      throw new GenerationException("the prompt plus max tokens (" + needed + ") is too long");
    }
    int eos = request.stopAtEos() ? model.tokenizer().map(Tokenizer::eos).orElse(-1) : -1;
    Sampler sampler = new Sampler(request.sampling());
    int[] out = new int[request.maxTokens()];
    int produced = 0;
    boolean stoppedAtEos = false;
    try (Session session = new Session(model, backend, policy, threads, (int) needed)) {
      float[] logits = session.prefill(prompt);
      while (true) {
        int token = sampler.sample(logits);
        out[produced++] = token;
        listener.onToken(token);
        if (eos >= 0 && token == eos) {
          stoppedAtEos = true;
          break;
        }
        if (produced == out.length) {
          break;
        }
        logits = session.step(token);
      }
      return new GenerationResult(prompt.clone(), Arrays.copyOf(out, produced), stoppedAtEos, session.stats());
    }
  }
}
