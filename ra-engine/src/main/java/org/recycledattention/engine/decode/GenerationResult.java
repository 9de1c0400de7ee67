package org.recycledattention.engine.decode;

import static java.util.Objects.requireNonNull;

/**
 * The outcome of one generation.
 *
 * @param promptIds the prompt as given
 * @param tokens the generated ids, in order (with the end-of-generation token when it ended on one,
 *     and with the tokens that spelled a stop string)
 * @param finishReason why it ended
 * @param text the generated text up to any stop string, or null when the model has no tokenizer
 * @param stats timings and policy statistics
 */
public record GenerationResult(
    int[] promptIds, int[] tokens, FinishReason finishReason, String text, GenerationStats stats) {
  public GenerationResult {
    requireNonNull(finishReason, "finishReason is null");
    requireNonNull(stats, "stats is null");
  }

  /** Whether generation ended on an end-of-generation token. */
  public boolean stoppedAtEos() {
    return finishReason == FinishReason.STOP_TOKEN;
  }
}
