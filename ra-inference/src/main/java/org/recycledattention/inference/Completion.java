package org.recycledattention.inference;

import org.recycledattention.engine.decode.FinishReason;
import org.recycledattention.engine.decode.GenerationStats;

/**
 * The outcome of one completion.
 *
 * @param text the generated text, up to any stop string ("" for a model without a tokenizer)
 * @param tokens the generated ids
 * @param finishReason why it ended
 * @param promptTokens the prompt's length in tokens
 * @param policy the attention policy that ran
 * @param budget its token budget K
 * @param stats timings and policy statistics
 */
public record Completion(
    String text,
    int[] tokens,
    FinishReason finishReason,
    int promptTokens,
    String policy,
    int budget,
    GenerationStats stats) {
  /** Tokens generated. */
  public int completionTokens() {
    return tokens.length;
  }
}
