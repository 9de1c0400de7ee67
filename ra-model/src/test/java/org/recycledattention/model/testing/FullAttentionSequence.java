package org.recycledattention.model.testing;

import static java.util.Objects.requireNonNull;

import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.model.llama.SequenceState;
import org.recycledattention.model.tensor.Parallel;
import org.recycledattention.tests.ReferenceAttention;

/**
 * One sequence of a model with full (causal) attention, computed by the conformance kit's {@link
 * ReferenceAttention}: the forward pass on its own, without a backend or a policy. Prefill runs in
 * chunks of {@code chunk} tokens.
 */
public final class FullAttentionSequence implements AutoCloseable {
  private final LanguageModel model;
  private final Parallel parallel = new Parallel(1);
  private final SequenceState state;
  private final int chunk;
  private int position;

  public FullAttentionSequence(LanguageModel model, int capacity, int chunk) {
    this.model = requireNonNull(model, "model is null");
    this.chunk = chunk;
    ReferenceAttention reference = new ReferenceAttention(CacheSpec.of(model.shape(), capacity));
    int queryWidth = model.shape().queryHeads() * model.shape().headDim();
    this.state = model.newState((layer, q, k, v, positions, tokens, out) -> {
      reference.append(layer, k, v, positions, tokens);
      double[] o = reference.attend(layer, q, tokens, StepPlan.Full.NO_SCORES).output();
      for (int i = 0; i < tokens * queryWidth; i++) {
        out[i] = (float) o[i];
      }
    }, parallel, chunk);
  }

  /** Feeds the prompt; returns the logits after its last token (owned by the sequence). */
  public float[] prefill(int[] ids) {
    for (int from = 0; from < ids.length; from += chunk) {
      int count = Math.min(chunk, ids.length - from);
      model.forward(state, ids, from, count, position);
      position += count;
    }
    return state.logits();
  }

  /** Feeds one token; returns the logits after it (owned by the sequence). */
  public float[] step(int token) {
    model.forward(state, new int[] {token}, 0, 1, position++);
    return state.logits();
  }

  @Override
  public void close() {
    parallel.close();
  }
}
