package org.recycledattention.engine.decode;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One generation: prompt ids in, up to {@code maxTokens} generated ids (and their text) out.
 *
 * @param promptIds the prompt, at least one id (usually starting with BOS)
 * @param maxTokens the most tokens to generate, >= 1
 * @param sampling greedy or sampled
 * @param stopAtEos stop when the model emits an end-of-generation token (the tokenizer's {@link
 *     org.recycledattention.model.tokenizer.Tokenizer#stopTokens() stop tokens}: EOS and any
 *     end-of-turn token)
 * @param allowContextOverflow let prompt + maxTokens exceed the model's context length
 * @param stopStrings stop when the generated text contains one of these; the text ends before it
 *     (needs a model with a tokenizer; none may be empty)
 * @param cancellation stops the generation when set, from any thread
 */
public record GenerationRequest(
    int[] promptIds,
    int maxTokens,
    SamplingConfig sampling,
    boolean stopAtEos,
    boolean allowContextOverflow,
    List<String> stopStrings,
    Cancellation cancellation) {
  public GenerationRequest {
    requireNonNull(sampling, "sampling is null");
    stopStrings = List.copyOf(requireNonNull(stopStrings, "stopStrings is null"));
    requireNonNull(cancellation, "cancellation is null");
  }

  /** A request without stop strings, with a cancellation of its own. */
  public GenerationRequest(
      int[] promptIds,
      int maxTokens,
      SamplingConfig sampling,
      boolean stopAtEos,
      boolean allowContextOverflow) {
    this(
        promptIds,
        maxTokens,
        sampling,
        stopAtEos,
        allowContextOverflow,
        List.of(),
        new Cancellation());
  }

  public static GenerationRequest greedy(int[] promptIds, int maxTokens) {
    return new GenerationRequest(promptIds, maxTokens, SamplingConfig.GREEDY, false, false);
  }

  /** A copy with these stop strings. */
  public GenerationRequest withStopStrings(List<String> stops) {
    return new GenerationRequest(
        promptIds, maxTokens, sampling, stopAtEos, allowContextOverflow, stops, cancellation);
  }

  /** A copy that {@code cancellation} stops. */
  public GenerationRequest withCancellation(Cancellation cancellation) {
    return new GenerationRequest(
        promptIds, maxTokens, sampling, stopAtEos, allowContextOverflow, stopStrings, cancellation);
  }
}
