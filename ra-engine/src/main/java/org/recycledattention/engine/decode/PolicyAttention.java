package org.recycledattention.engine.decode;

import static java.util.Objects.requireNonNull;

import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.KernelThreads;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.Phase;
import org.recycledattention.model.llama.Attention;

/**
 * The policy protocol, in one place: what the forward pass's {@link Attention} does for one sequence.
 * For every layer of a step: {@code cache.append}, {@code plan = policy.plan}, {@code cache.attend(plan)},
 * {@code policy.observe}; during decode it also counts full and partial layer-steps, entries attended and
 * working-set changes, which {@link Session#stats()} reports.
 *
 * <p>{@link #begin} names the step before each forward call. <b>NOTE:</b> not thread-safe; one per
 * sequence. Does not own the cache or the policy.
 */
final class PolicyAttention implements Attention {
  private final KvCache cache;
  private final AttentionPolicy policy;
  private final TrackingWorkingSet[] workingSets;

  private Phase phase = Phase.PREFILL;
  private int position;
  private int decodeIndex = -1;
  private DecodeStep step;
  private boolean kernelThreads;

  private long decodeFullSteps;
  private long decodePartialSteps;
  private long decodeTokensAttended;
  private long decodeWorkingSetChanges;
  private long decodeAttendNanos;
  private long decodePolicyNanos;

  PolicyAttention(KvCache cache, AttentionPolicy policy) {
    this.cache = requireNonNull(cache, "cache is null");
    this.policy = requireNonNull(policy, "policy is null");
    int layers = cache.spec().layers();
    this.workingSets = new TrackingWorkingSet[layers];
    for (int l = 0; l < layers; l++) {
      workingSets[l] = new TrackingWorkingSet(cache.workingSet(l));
    }
  }

  /** Lends the cache the forward pass's kernel threads, if it takes them ({@link KvCache#shareThreads}). */
  void shareThreads(KernelThreads threads) {
    kernelThreads = cache.shareThreads(threads);
  }

  @Override
  public boolean usesKernelThreads() {
    return kernelThreads;
  }

  /**
   * Names the step the next forward call computes.
   *
   * @param position the sequence position of the step's newest token
   * @param decodeIndex the index among generated tokens, -1 during prefill
   */
  void begin(Phase phase, int position, int decodeIndex) {
    this.phase = requireNonNull(phase, "phase is null");
    this.position = position;
    this.decodeIndex = decodeIndex;
    this.step = null;
  }

  /** The step in words, for error messages: {@code "decode step 3"} or {@code "prefill"}. */
  String describeStep() {
    return phase == Phase.DECODE ? "decode step " + decodeIndex : "prefill";
  }

  @Override
  public void attend(int layer, float[] q, float[] k, float[] v, int[] positions, int tokens, float[] out) {
    if (step == null || step.query() != q) {
      step = new DecodeStep(phase, position, decodeIndex, tokens, q);
    }
    cache.append(layer, k, v, positions, tokens);
    long t0 = System.nanoTime();
    StepPlan plan = policy.plan(layer, step);
    long t1 = System.nanoTime();
    AttentionResult result = cache.attend(layer, q, tokens, plan, out);
    long t2 = System.nanoTime();
    TrackingWorkingSet ws = workingSets[layer];
    ws.takeChanged();
    policy.observe(layer, step, new Observation(plan, result), ws);
    if (phase == Phase.DECODE) {
      decodeAttendNanos += t2 - t1;
      decodePolicyNanos += t1 - t0 + System.nanoTime() - t2;
      if (plan instanceof StepPlan.Partial) {
        decodePartialSteps++;
      } else {
        decodeFullSteps++;
      }
      decodeTokensAttended += result.attendedTokens();
      if (ws.takeChanged()) {
        decodeWorkingSetChanges++;
      }
    }
  }

  /** Decode layer-steps that attended the whole main store. */
  long decodeFullSteps() {
    return decodeFullSteps;
  }

  /** Decode layer-steps that attended the partial cache. */
  long decodePartialSteps() {
    return decodePartialSteps;
  }

  /** Entries attended, summed over decode layer-steps. */
  long decodeTokensAttended() {
    return decodeTokensAttended;
  }

  /** Nanoseconds decode steps spent in {@code KvCache.attend}. */
  long decodeAttendNanos() {
    return decodeAttendNanos;
  }

  /**
   * Nanoseconds decode steps spent in the policy's {@code plan} and {@code observe}, including the
   * backend work they ask for (top-K selection, gathers, eviction).
   */
  long decodePolicyNanos() {
    return decodePolicyNanos;
  }

  /** Decode layer-steps after which the policy had changed the working set. */
  long decodeWorkingSetChanges() {
    return decodeWorkingSetChanges;
  }
}
