package org.recycledattention.engine.decode;

/** Why a generation ended. */
public enum FinishReason {
  /** It produced {@code maxTokens} tokens. */
  LENGTH,
  /**
   * The model chose an end-of-generation token (EOS, or an end-of-turn token the tokenizer names).
   */
  STOP_TOKEN,
  /** The text reached one of the request's stop strings (the text ends before it). */
  STOP_STRING,
  /** Its {@link Cancellation} was set. */
  CANCELLED
}
