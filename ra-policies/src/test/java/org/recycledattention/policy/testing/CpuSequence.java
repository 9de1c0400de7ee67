package org.recycledattention.policy.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.Phase;
import org.recycledattention.backend.cpu.CpuBackend;

/**
 * Runs a policy over the real {@code cpu} backend the way the engine's decode loop does (append,
 * plan, attend, observe, layer by layer), on seeded random queries, keys and values instead of a
 * model, so that every policy sees the same token stream. Records every attention output.
 */
public final class CpuSequence {
  /** Called after each observe, with the step's plan, result and attention output. */
  @FunctionalInterface
  public interface StepCheck {
    void check(int layer, DecodeStep step, StepPlan plan, AttentionResult result, float[] out, WorkingSet workingSet);
  }

  private final ModelShape shape;
  private final int promptLength;
  private final int decodeSteps;
  private final long seed;
  /** [position][layer]: rows of queryHeads × headDim (q) or kvHeads × headDim (k, v). */
  private final float[][][] q;
  private final float[][][] k;
  private final float[][][] v;

  public CpuSequence(ModelShape shape, int promptLength, int decodeSteps, long seed) {
    this.shape = shape;
    this.promptLength = promptLength;
    this.decodeSteps = decodeSteps;
    this.seed = seed;
    int n = promptLength + decodeSteps;
    Random random = new Random(seed);
    q = new float[n][shape.layers()][];
    k = new float[n][shape.layers()][];
    v = new float[n][shape.layers()][];
    for (int p = 0; p < n; p++) {
      for (int l = 0; l < shape.layers(); l++) {
        q[p][l] = gaussian(random, shape.queryHeads() * shape.headDim(), 1.5);
        k[p][l] = gaussian(random, shape.kvHeads() * shape.headDim(), 1.5);
        v[p][l] = gaussian(random, shape.kvHeads() * shape.headDim(), 1.0);
      }
    }
  }

  private static float[] gaussian(Random random, int n, double sigma) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (random.nextGaussian() * sigma);
    }
    return a;
  }

  public long seed() {
    return seed;
  }

  public int length() {
    return promptLength + decodeSteps;
  }

  /** The key of {@code position} in {@code layer}: {@code kvHeads × headDim}. */
  public float[] key(int position, int layer) {
    return k[position][layer];
  }

  public float[] value(int position, int layer) {
    return v[position][layer];
  }

  public float[] query(int position, int layer) {
    return q[position][layer];
  }

  /**
   * Prefills in chunks of {@code chunk} tokens (the last chunk is {@code PREFILL_END}), then decodes.
   *
   * @return the attention output of every (step, layer), in order
   */
  public List<float[]> run(AttentionPolicy policy, int chunk, StepCheck check) {
    List<float[]> outputs = new ArrayList<>();
    try (CpuBackend backend = CpuBackend.create(KvDtype.F32, 1);
        KvCache cache = backend.allocate(CacheSpec.of(shape, length()))) {
      for (int first = 0; first < promptLength; first += chunk) {
        int count = Math.min(chunk, promptLength - first);
        Phase phase = first + count == promptLength ? Phase.PREFILL_END : Phase.PREFILL;
        step(policy, cache, phase, first, count, -1, outputs, check);
      }
      for (int d = 0; d < decodeSteps; d++) {
        step(policy, cache, Phase.DECODE, promptLength + d, 1, d, outputs, check);
      }
    }
    return outputs;
  }

  private void step(AttentionPolicy policy, KvCache cache, Phase phase, int first, int count, int decodeIndex, List<float[]> outputs,
      StepCheck check) {
    int qRow = shape.queryHeads() * shape.headDim();
    int kvRow = shape.kvHeads() * shape.headDim();
    for (int l = 0; l < shape.layers(); l++) {
      float[] qs = new float[count * qRow];
      float[] ks = new float[count * kvRow];
      float[] vs = new float[count * kvRow];
      int[] positions = new int[count];
      for (int i = 0; i < count; i++) {
        System.arraycopy(q[first + i][l], 0, qs, i * qRow, qRow);
        System.arraycopy(k[first + i][l], 0, ks, i * kvRow, kvRow);
        System.arraycopy(v[first + i][l], 0, vs, i * kvRow, kvRow);
        positions[i] = first + i;
      }
      cache.append(l, ks, vs, positions, count);
      DecodeStep step = new DecodeStep(phase, first + count - 1, decodeIndex, count, qs);
      StepPlan plan = policy.plan(l, step);
      float[] out = new float[count * qRow];
      AttentionResult result = cache.attend(l, qs, count, plan, out);
      WorkingSet ws = cache.workingSet(l);
      policy.observe(l, step, new Observation(plan, result), ws);
      if (check != null) {
        check.check(l, step, plan, result, out, ws);
      }
      outputs.add(out);
    }
  }
}
