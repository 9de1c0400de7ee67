package org.recycledattention.tests;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.Phase;

/**
 * Drives one policy over one cache the way the engine does, with seeded random queries, keys and
 * values instead of a model: prefill in chunks ({@link Phase#PREFILL} ... {@link Phase#PREFILL_END}),
 * then decode steps; per step, for every layer in order: append, plan, attend, observe. Checks each
 * plan and working-set operation against the policy's declared capabilities and, after every
 * PREFILL_END and DECODE step, the budget.
 *
 * <p>Inputs depend only on (data seed, layer, position), never on chunking, so two runs of one
 * script see the same numbers.
 */
final class PolicyDriver {
  /**
   * A sequence: the model shape, the prompt split into prefill chunks, and the decode steps.
   *
   * @param prefillChunks queries per prefill step; the last is the PREFILL_END step
   */
  record Script(ModelShape shape, int[] prefillChunks, int decodeSteps, long dataSeed) {
    int promptLength() {
      return Arrays.stream(prefillChunks).sum();
    }

    int totalTokens() {
      return promptLength() + decodeSteps;
    }

    @Override
    public String toString() {
      return "prompt " + promptLength() + " in " + prefillChunks.length + " chunks, " + decodeSteps + " decode steps, shape " + shape;
    }
  }

  /**
   * What a run did.
   *
   * @param events one line per plan and per working-set operation, in order
   * @param outputs the attention output of every (step, layer), in order
   */
  record Trace(List<String> events, List<float[]> outputs) {}

  /** What the driver checks a policy against. */
  record Contract(String policy, Set<BackendCapability> declared, boolean usesBudget, int budget) {}

  private PolicyDriver() {}

  /**
   * A random script: chunks of up to 48 tokens when the backend batches prefill, else of 1. A prompt of
   * two or more tokens always has a PREFILL chunk before its PREFILL_END chunk, so every run checks the
   * PREFILL rules (a single chunk once let a policy that plans Partial during PREFILL pass, one run in 25).
   */
  static Script script(SplittableRandom r, ModelShape shape, int promptLength, int decodeSteps, boolean multiQuery) {
    List<Integer> chunks = new ArrayList<>();
    int left = promptLength;
    while (left > 0) {
      int room = chunks.isEmpty() && left > 1 ? left - 1 : left;
      int c = multiQuery ? Math.min(room, 1 + r.nextInt(48)) : 1;
      chunks.add(c);
      left -= c;
    }
    return new Script(shape, chunks.stream().mapToInt(Integer::intValue).toArray(), decodeSteps, r.nextLong());
  }

  /** A small random model shape: 2-3 layers, 1-2 KV heads, groups of 1, 2 or 4, head dims 8-32. */
  static ModelShape shape(SplittableRandom r) {
    int kvHeads = 1 + r.nextInt(2);
    int group = new int[] {1, 2, 4}[r.nextInt(3)];
    int headDim = new int[] {8, 16, 32}[r.nextInt(3)];
    return new ModelShape(2 + r.nextInt(2), kvHeads * group, kvHeads, headDim, 1 << 16);
  }

  static Trace run(Contract contract, AttentionPolicy policy, KvCacheBackend backend, Script script) {
    requireNonNull(policy, "policy is null");
    ModelShape shape = script.shape();
    CacheSpec spec = CacheSpec.of(shape, script.totalTokens());
    List<String> events = new ArrayList<>();
    List<float[]> outputs = new ArrayList<>();
    try (KvCache cache = backend.allocate(spec)) {
      RecordingWorkingSet[] ws = new RecordingWorkingSet[shape.layers()];
      for (int l = 0; l < shape.layers(); l++) {
        ws[l] = new RecordingWorkingSet(cache.workingSet(l), contract.policy(), contract.declared(), events);
      }
      int position = 0;
      int step = 0;
      int[] chunks = script.prefillChunks();
      for (int c = 0; c < chunks.length; c++) {
        Phase phase = c == chunks.length - 1 ? Phase.PREFILL_END : Phase.PREFILL;
        step(contract, policy, cache, ws, script, step++, phase, position, chunks[c], -1, events, outputs);
        position += chunks[c];
      }
      for (int t = 0; t < script.decodeSteps(); t++) {
        step(contract, policy, cache, ws, script, step++, Phase.DECODE, position, 1, t, events, outputs);
        position++;
      }
    }
    return new Trace(events, outputs);
  }

  private static void step(Contract contract, AttentionPolicy policy, KvCache cache, RecordingWorkingSet[] ws, Script script, int step,
      Phase phase, int first, int tokens, int decodeIndex, List<String> events, List<float[]> outputs) {
    ModelShape shape = script.shape();
    int d = shape.headDim();
    int[] positions = new int[tokens];
    for (int t = 0; t < tokens; t++) {
      positions[t] = first + t;
    }
    float[] k = new float[tokens * shape.kvHeads() * d];
    float[] v = new float[k.length];
    float[] q = new float[tokens * shape.queryHeads() * d];
    int newest = first + tokens - 1;
    for (int l = 0; l < shape.layers(); l++) {
      String at = "step " + step + " (" + phase + ", position " + newest + ") layer " + l;
      for (int t = 0; t < tokens; t++) {
        Inputs.key(script.dataSeed(), l, first + t, shape.kvHeads() * d, k, t * shape.kvHeads() * d);
        Inputs.value(script.dataSeed(), l, first + t, shape.kvHeads() * d, v, t * shape.kvHeads() * d);
        Inputs.query(script.dataSeed(), l, first + t, shape.queryHeads() * d, q, t * shape.queryHeads() * d);
      }
      cache.append(l, k, v, positions, tokens);
      DecodeStep decodeStep = new DecodeStep(phase, newest, decodeIndex, tokens, q);
      StepPlan plan = policy.plan(l, decodeStep);
      checkPlan(contract, plan, phase, ws[l], at);
      float[] out = new float[q.length];
      AttentionResult result = cache.attend(l, q, tokens, plan, out);
      events.add(at + " plan " + describe(plan) + " attended " + result.attendedTokens());
      outputs.add(out);
      ws[l].at(at, phase);
      policy.observe(l, decodeStep, new Observation(plan, result), ws[l]);
      ws[l].at(at + " (after observe)", Phase.DECODE);
      if (phase != Phase.PREFILL && contract.usesBudget()) {
        checkBudget(contract, ws[l], at);
      }
    }
  }

  private static void checkPlan(Contract c, StepPlan plan, Phase phase, RecordingWorkingSet ws, String at) {
    String who = "policy '" + c.policy() + "' at " + at + ": ";
    if (plan == null) {
      throw new AssertionError(who + "plan() returned null");
    }
    if (phase != Phase.DECODE && !(plan instanceof StepPlan.Full)) {
      throw new AssertionError(who + "planned " + describe(plan) + " but a " + phase + " step must be StepPlan.Full (prefill is full attention)");
    }
    if (plan instanceof StepPlan.Partial) {
      if (!c.declared().contains(BackendCapability.PARTIAL_CACHE)) {
        throw new AssertionError(who + "planned StepPlan.Partial without declaring PARTIAL_CACHE in requiredCapabilities() " + c.declared());
      }
      if (ws.partialLength() == 0) {
        throw new AssertionError(who + "planned StepPlan.Partial but the layer has no partial cache (gatherPartial it first)");
      }
    }
    if (plan.scores().wanted() && !c.declared().contains(BackendCapability.SCORES)) {
      throw new AssertionError(who + "asked for scores " + plan.scores() + " without declaring SCORES in requiredCapabilities() " + c.declared());
    }
  }

  private static void checkBudget(Contract c, RecordingWorkingSet ws, String at) {
    boolean recycling = c.declared().contains(BackendCapability.PARTIAL_CACHE);
    int size = recycling ? ws.partialLength() : ws.length();
    if (size > c.budget()) {
      throw new AssertionError("policy '" + c.policy() + "' left " + size + " entries in the " + (recycling ? "partial cache" : "main store")
          + " after " + at + "; the budget is " + c.budget() + " (" + (recycling ? "a policy declaring PARTIAL_CACHE is bounded by its partial cache"
              : "an evicting policy is bounded by its main store") + ")");
    }
  }

  static String describe(StepPlan plan) {
    String kind = plan instanceof StepPlan.Full ? "Full" : "Partial";
    return plan.scores().wanted() ? kind + "(" + plan.scores().mode() + "/" + plan.scores().reduction() + ")" : kind;
  }

  /** Full attention with no scores and no working-set change: the reference outputs. */
  static final class FullAttention implements AttentionPolicy {
    @Override
    public StepPlan plan(int layer, DecodeStep step) {
      return StepPlan.Full.NO_SCORES;
    }

    @Override
    public void observe(int layer, DecodeStep step, Observation observation, WorkingSet workingSet) {}
  }

  /** Deterministic inputs per (seed, layer, position). */
  static final class Inputs {
    private Inputs() {}

    static void key(long seed, int layer, int position, int count, float[] dst, int off) {
      fill(new SplittableRandom(mix(seed, layer, position, 1)), 1.0, dst, off, count);
    }

    static void value(long seed, int layer, int position, int count, float[] dst, int off) {
      fill(new SplittableRandom(mix(seed, layer, position, 2)), 1.0, dst, off, count);
    }

    /**
     * Queries drift around a per-layer direction ({@code 2·base + 0.5·noise}), as real queries do,
     * so that similarity-driven schedules see both similar and dissimilar steps and attention is
     * peaked enough for selections to matter.
     */
    static void query(long seed, int layer, int position, int count, float[] dst, int off) {
      SplittableRandom base = new SplittableRandom(mix(seed, layer, -1, 3));
      SplittableRandom noise = new SplittableRandom(mix(seed, layer, position, 3));
      double drift = (position / 64) % 2 == 0 ? 0.5 : 2.0;
      for (int i = 0; i < count; i++) {
        dst[off + i] = (float) (2.0 * base.nextGaussian() + drift * noise.nextGaussian());
      }
    }

    private static void fill(SplittableRandom r, double scale, float[] dst, int off, int count) {
      for (int i = 0; i < count; i++) {
        dst[off + i] = (float) (scale * r.nextGaussian());
      }
    }

    static long mix(long seed, int layer, int position, int kind) {
      long h = seed ^ 0x9E3779B97F4A7C15L * (kind + 1);
      h = splitmix(h + layer);
      h = splitmix(h + position);
      return h;
    }

    private static long splitmix(long z) {
      z += 0x9E3779B97F4A7C15L;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }
  }
}
