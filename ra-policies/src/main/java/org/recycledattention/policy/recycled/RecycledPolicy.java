package org.recycledattention.policy.recycled;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import org.recycledattention.api.cache.Scores;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.ScoreMode;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.Phase;
import org.recycledattention.policy.support.ReplacementCycle;

/**
 * Recycled Attention for one sequence: see the package documentation. Host work per layer: O(K)
 * at a full step (the selection itself runs in the backend), O(kvHeads · log K) at a recycled step;
 * allocation-free after the first full step of each layer. Not thread-safe.
 */
public final class RecycledPolicy implements AttentionPolicy {
  private final RecycledSettings settings;
  private final int budget;
  private final int kvHeads;
  private final int queryHeads;
  private final int headDim;
  /** Full step with the scores the selection needs. */
  private final StepPlan.Full fullPlan;

  /** [layer]: whether the partial cache was gathered (a recycled step needs it). */
  private final boolean[] hasPartial;
  /** [layer]: which partial slot a recycled step replaces next, ranked at the last full step. */
  private final ReplacementCycle[] replacement;
  /** [layer][headDim]: mean query over query heads at the layer's last full step (dynamic only). */
  private final float[][] lastFullQuery;
  /** [layer]: full steps done, PREFILL_END included. */
  private final long[] fullSteps;
  /** [layer]: recycled (partial) steps done. */
  private final long[] recycledSteps;

  private final int[] appendAtEnd;
  private final int[] slotPerHead;
  private final float[] meanQuery;

  /** A policy for a model of {@code shape}. */
  public RecycledPolicy(RecycledSettings settings, ModelShape shape) {
    this.settings = requireNonNull(settings, "settings is null");
    requireNonNull(shape, "shape is null");
    this.budget = settings.budget();
    this.kvHeads = shape.kvHeads();
    this.queryHeads = shape.queryHeads();
    this.headDim = shape.headDim();
    this.fullPlan = new StepPlan.Full(new ScoreRequest(ScoreMode.LAST_QUERY, settings.groupReduction()));
    int layers = shape.layers();
    this.hasPartial = new boolean[layers];
    this.replacement = new ReplacementCycle[layers];
    for (int l = 0; l < layers; l++) {
      replacement[l] = new ReplacementCycle(kvHeads, budget);
    }
    this.lastFullQuery = settings.schedule() == RecycleSchedule.DYNAMIC ? new float[layers][headDim] : new float[0][];
    this.fullSteps = new long[layers];
    this.recycledSteps = new long[layers];
    this.appendAtEnd = new int[kvHeads];
    Arrays.fill(appendAtEnd, -1);
    this.slotPerHead = new int[kvHeads];
    this.meanQuery = new float[headDim];
  }

  public RecycledSettings settings() {
    return settings;
  }

  /** Full steps {@code layer} has done, the end of prefill included. */
  public long fullSteps(int layer) {
    return fullSteps[layer];
  }

  /** Recycled (partial-cache) steps {@code layer} has done. */
  public long recycledSteps(int layer) {
    return recycledSteps[layer];
  }

  @Override
  public StepPlan plan(int layer, DecodeStep step) {
    return switch (step.phase()) {
      case PREFILL -> StepPlan.Full.NO_SCORES;
      case PREFILL_END -> fullPlan;
      case DECODE -> isFullStep(layer, step) ? fullPlan : StepPlan.Partial.NO_SCORES;
    };
  }

  private boolean isFullStep(int layer, DecodeStep step) {
    if (!hasPartial[layer]) {
      return true; // nothing to recycle yet (no prefill selection)
    }
    int d = step.decodeIndex();
    return switch (settings.schedule()) {
      case FIXED -> (d + 1) % settings.stride() == 0;
      case DYNAMIC -> (d + 1) % settings.checkInterval() == 0 && querySimilarity(layer, step) < settings.querySimilarityThreshold();
    };
  }

  /**
   * Cosine similarity between this step's mean query (over the layer's query heads) and the mean
   * query of the layer's last full step. A zero vector has similarity 0 to anything.
   */
  double querySimilarity(int layer, DecodeStep step) {
    meanQuery(step, meanQuery);
    float[] last = lastFullQuery[layer];
    double dot = 0;
    double a2 = 0;
    double b2 = 0;
    for (int j = 0; j < headDim; j++) {
      dot += (double) meanQuery[j] * last[j];
      a2 += (double) meanQuery[j] * meanQuery[j];
      b2 += (double) last[j] * last[j];
    }
    return a2 == 0 || b2 == 0 ? 0 : dot / Math.sqrt(a2 * b2);
  }

  /** The newest token's query averaged over the query heads: {@code headDim} values into {@code out}. */
  private void meanQuery(DecodeStep step, float[] out) {
    float[] q = step.query();
    int base = (step.queries() - 1) * queryHeads * headDim;
    if (q.length < base + queryHeads * headDim) {
      throw new IllegalArgumentException("step query holds " + q.length + " floats, expected " + step.queries() + " x " + queryHeads
          + " query heads x " + headDim);
    }
    for (int j = 0; j < headDim; j++) {
      float s = 0;
      for (int h = 0; h < queryHeads; h++) {
        s += q[base + h * headDim + j];
      }
      out[j] = s / queryHeads;
    }
  }

  @Override
  public void observe(int layer, DecodeStep step, Observation observation, WorkingSet workingSet) {
    if (step.phase() == Phase.PREFILL) {
      return;
    }
    switch (observation.plan()) {
      case StepPlan.Full _ -> {
        select(layer, observation, workingSet);
        if (settings.schedule() == RecycleSchedule.DYNAMIC) {
          meanQuery(step, lastFullQuery[layer]);
        }
      }
      case StepPlan.Partial _ -> appendNewest(layer, workingSet);
    }
  }

  /** Rebuilds {@code C_p} from this full step's scores and ranks its entries for eviction. */
  private void select(int layer, Observation observation, WorkingSet workingSet) {
    Scores scores = observation.result().scores();
    if (scores == null) {
      throw new IllegalStateException("recycled attention asked for scores at a full step but the backend returned none (layer " + layer
          + "); use a backend with the SCORES capability");
    }
    Selection selection = scores.topK(budget, settings.poolKernel(), settings.localTokens());
    workingSet.gatherPartial(selection);
    // partial slot order is position order (the main store is never evicted), so ties go to the older
    replacement[layer].rank(selection);
    hasPartial[layer] = true;
    fullSteps[layer]++;
  }

  /**
   * Copies the token just attended into {@code C_p}: appended while {@code C_p} holds fewer than K
   * entries, else it replaces per head the next entry of the eviction order.
   */
  private void appendNewest(int layer, WorkingSet workingSet) {
    recycledSteps[layer]++;
    int length = workingSet.partialLength();
    if (length < budget) {
      workingSet.appendToPartial(appendAtEnd);
      return;
    }
    replacement[layer].next(slotPerHead);
    workingSet.appendToPartial(slotPerHead);
  }

  @Override
  public String toString() {
    return "recycled(" + settings + ")";
  }
}
