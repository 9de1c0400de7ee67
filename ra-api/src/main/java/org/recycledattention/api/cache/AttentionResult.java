package org.recycledattention.api.cache;

/**
 * What one {@code attend} call did. The attention output itself is written into the caller's array.
 *
 * @param attendedTokens entries the newest query attended (per KV head)
 * @param scores the scores the plan asked for, or {@code null}
 */
public record AttentionResult(int attendedTokens, Scores scores) {
  public boolean hasScores() {
    return scores != null;
  }
}
