package org.recycledattention.engine.decode;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.model.tokenizer.Tokenizer;

/**
 * Generates tokens: prefill with full attention, then one {@link Session#step} per token with the
 * policy's plans, sampling each next token with a {@link Sampler}. Stops at {@code maxTokens}, at
 * the tokenizer's end-of-generation ids when the request says so, at a stop string, or when the
 * request's {@link Cancellation} is set; text is decoded as it goes ({@link TextStream}).
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
   * @throws GenerationException (exit 2) for an empty prompt, an id outside the vocabulary, a prompt
   *     plus {@code maxTokens} beyond the model's context length (unless the request allows it), or
   *     stop strings for a model without a tokenizer
   * @throws org.recycledattention.model.NumericalException when the model produces NaN or infinity
   */
  public GenerationResult generate(GenerationRequest request, TokenListener listener) {
    return generate(request, listener, TextListener.NONE);
  }

  /**
   * Runs {@code request}, passing each token id to {@code tokens} as soon as it is chosen and the
   * text to {@code text} as soon as it is final (see {@link TextListener}; a model without a
   * tokenizer gives no text). Generation ends at {@code maxTokens}, at an end-of-generation token
   * when the request says so (it is not decoded as text), at a stop string, or when the request's
   * {@link Cancellation} is set: then before the next decode step.
   *
   * @throws GenerationException as {@link #generate(GenerationRequest, TokenListener)}
   */
  public GenerationResult generate(GenerationRequest request, TokenListener tokens, TextListener text) {
    requireNonNull(request, "request is null");
    requireNonNull(tokens, "tokens is null");
    requireNonNull(text, "text is null");
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
    Tokenizer tokenizer = model.tokenizer().orElse(null);
    if (tokenizer == null && !request.stopStrings().isEmpty()) {
      throw new GenerationException(
          "stop strings need a model with a tokenizer; this model has none (stop on token ids instead)");
    }
    TextStream stream;
    try {
      stream = tokenizer == null ? null : new TextStream(tokenizer, request.stopStrings());
    } catch (IllegalArgumentException e) {
      throw new GenerationException(e.getMessage());
    }
    int[] stopTokens = request.stopAtEos() && tokenizer != null ? tokenizer.stopTokens() : new int[0];
    Cancellation cancellation = request.cancellation();
    if (cancellation.isCancelled()) {
      return new GenerationResult(prompt.clone(), new int[0], FinishReason.CANCELLED, stream == null ? null : "",
          new GenerationStats(0, 0, 0, 0, 0, 0, 0, 0, 0));
    }
    Sampler sampler = new Sampler(request.sampling());
    int[] out = new int[request.maxTokens()];
    int produced = 0;
    FinishReason reason;
    try (Session session = new Session(model, backend, policy, threads, (int) needed)) {
      float[] logits = session.prefill(prompt, cancellation::isCancelled); // null: cancelled between prefill chunks
      while (true) {
        if (logits == null || cancellation.isCancelled()) { // after the prefill, after each step
          reason = FinishReason.CANCELLED;
          break;
        }
        int token = sampler.sample(logits);
        out[produced++] = token;
        tokens.onToken(token);
        if (contains(stopTokens, token)) {
          reason = FinishReason.STOP_TOKEN;
          break;
        }
        if (stream != null) {
          emit(text, stream.push(token));
          if (stream.stopped()) {
            reason = FinishReason.STOP_STRING;
            break;
          }
        }
        if (produced == out.length) {
          reason = FinishReason.LENGTH;
          break;
        }
        if (cancellation.isCancelled()) { // the listeners may have cancelled: no step for a token nobody wants
          reason = FinishReason.CANCELLED;
          break;
        }
        logits = session.step(token);
      }
      if (stream != null) {
        emit(text, stream.finish());
      }
      String generated = stream == null ? null : stream.text();
      return new GenerationResult(prompt.clone(), Arrays.copyOf(out, produced), reason, generated, session.stats());
    }
  }

  private static void emit(TextListener listener, String piece) {
    if (!piece.isEmpty()) {
      listener.onText(piece);
    }
  }

  private static boolean contains(int[] ids, int id) {
    for (int x : ids) {
      if (x == id) {
        return true;
      }
    }
    return false;
  }
}
