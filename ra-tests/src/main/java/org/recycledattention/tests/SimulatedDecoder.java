package org.recycledattention.tests;

import java.util.function.IntFunction;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.Scores;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.Phase;

/**
 * Drives a policy the way the engine does (append, plan, attend, observe, for every layer) over
 * {@link SimulatedWorkingSet}s, with hand-made scores given per (layer, KV head, position), so that a
 * policy's unit tests state expectations in positions rather than slots, with no backend at all. Checks
 * the phase contract: plans during prefill are full, and a partial plan only comes with a partial cache.
 */
public final class SimulatedDecoder {
  /** The score the backend returns for one entry. */
  @FunctionalInterface
  public interface ScoreFn {
    float score(int layer, int kvHead, int position);
  }

  /** Scores no test should read: fails when a plan asks for scores. */
  public static final ScoreFn NO_SCORES = (l, h, p) -> {
    throw new AssertionError("the plan asked for scores the test did not provide");
  };

  private final AttentionPolicy policy;
  private final ModelShape shape;
  private final SimulatedWorkingSet[] sets;

  public SimulatedDecoder(AttentionPolicy policy, ModelShape shape) {
    this.policy = policy;
    this.shape = shape;
    this.sets = new SimulatedWorkingSet[shape.layers()];
    for (int l = 0; l < sets.length; l++) {
      sets[l] = new SimulatedWorkingSet(l, shape.kvHeads());
    }
  }

  /** A model shape with a context long enough for any test. */
  public static ModelShape shape(int layers, int queryHeads, int kvHeads, int headDim) {
    return new ModelShape(layers, queryHeads, kvHeads, headDim, 1 << 16);
  }

  /** The simulated working set of {@code layer}. */
  public SimulatedWorkingSet workingSet(int layer) {
    return sets[layer];
  }

  /** One prefill chunk of positions {@code first .. first + count - 1}, zero queries. */
  public StepPlan[] prefill(Phase phase, int first, int count, ScoreFn scores) {
    return prefill(phase, first, count, scores, l -> new float[count * shape.queryHeads() * shape.headDim()]);
  }

  /** One prefill chunk with the given query array per layer ({@code count × queryHeads × headDim}). */
  public StepPlan[] prefill(Phase phase, int first, int count, ScoreFn scores, IntFunction<float[]> queryPerLayer) {
    if (phase == Phase.DECODE) {
      throw new IllegalArgumentException("use decode()");
    }
    return run(phase, first, count, -1, scores, queryPerLayer);
  }

  /** One decode step at {@code position}, zero query. */
  public StepPlan[] decode(int decodeIndex, int position, ScoreFn scores) {
    return decode(decodeIndex, position, scores, l -> new float[shape.queryHeads() * shape.headDim()]);
  }

  /** One decode step with the given query per layer ({@code queryHeads × headDim}). */
  public StepPlan[] decode(int decodeIndex, int position, ScoreFn scores, IntFunction<float[]> queryPerLayer) {
    return run(Phase.DECODE, position, 1, decodeIndex, scores, queryPerLayer);
  }

  private StepPlan[] run(Phase phase, int first, int count, int decodeIndex, ScoreFn scores, IntFunction<float[]> queryPerLayer) {
    StepPlan[] plans = new StepPlan[sets.length];
    for (int l = 0; l < sets.length; l++) {
      SimulatedWorkingSet ws = sets[l];
      for (int p = first; p < first + count; p++) {
        ws.append(p);
      }
      DecodeStep step = new DecodeStep(phase, first + count - 1, decodeIndex, count, queryPerLayer.apply(l));
      StepPlan plan = policy.plan(l, step);
      if (phase != Phase.DECODE && !(plan instanceof StepPlan.Full)) {
        throw new AssertionError("plan during " + phase + " must be Full, got " + plan);
      }
      if (plan instanceof StepPlan.Partial && !ws.hasPartial()) {
        throw new AssertionError("partial plan on layer " + l + " without a partial cache");
      }
      int attended = plan instanceof StepPlan.Full ? ws.length() : ws.partialLength() + 1;
      Scores s = plan.scores().wanted() ? scores(l, ws, plan, scores) : null;
      int before = ws.calls().size();
      policy.observe(l, step, new Observation(plan, new AttentionResult(attended, s)), ws);
      if (phase == Phase.PREFILL && ws.calls().size() != before) {
        throw new AssertionError("observe changed the working set during PREFILL: " + ws.calls().subList(before, ws.calls().size()));
      }
      plans[l] = plan;
    }
    return plans;
  }

  private Scores scores(int layer, SimulatedWorkingSet ws, StepPlan plan, ScoreFn fn) {
    int heads = ws.kvHeads();
    float[][] v = new float[heads][];
    for (int h = 0; h < heads; h++) {
      if (plan instanceof StepPlan.Full) {
        var slots = ws.positions(h);
        v[h] = new float[slots.size()];
        for (int i = 0; i < slots.size(); i++) {
          v[h][i] = fn.score(layer, h, slots.get(i));
        }
      } else {
        var slots = ws.partialPositions(h);
        var mainSlots = ws.positions(h);
        v[h] = new float[slots.size() + 1];
        for (int i = 0; i < slots.size(); i++) {
          v[h][i] = fn.score(layer, h, slots.get(i));
        }
        v[h][slots.size()] = fn.score(layer, h, mainSlots.get(mainSlots.size() - 1));
      }
    }
    return ArrayScores.of(v);
  }
}
