package org.recycledattention.inference;

import org.recycledattention.engine.decode.GenerationRequest;

/**
 * A completion request checked and encoded by {@link Engine#prepare}, ready to {@link Engine#run}:
 * every input error has been raised already, so a server can answer 400 before it queues the work.
 * Immutable.
 */
public final class PreparedCompletion {
  private final GenerationRequest generation;
  private final PolicySelection.Selected selected;

  PreparedCompletion(GenerationRequest generation, PolicySelection.Selected selected) {
    this.generation = generation;
    this.selected = selected;
  }

  /** The prompt's length in tokens. */
  public int promptTokens() {
    return generation.promptIds().length;
  }

  /** The most tokens it may generate. */
  public int maxTokens() {
    return generation.maxTokens();
  }

  /** The attention policy it will run. */
  public String policy() {
    return selected.policy();
  }

  /** Its token budget K. */
  public int budget() {
    return selected.budget();
  }

  GenerationRequest generation() {
    return generation;
  }

  PolicySelection.Selected selected() {
    return selected;
  }
}
