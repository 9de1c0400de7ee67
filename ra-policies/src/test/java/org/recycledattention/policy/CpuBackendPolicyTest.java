package org.recycledattention.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.Phase;
import org.recycledattention.policy.full.FullPolicyProvider;
import org.recycledattention.policy.testing.CpuSequence;
import org.recycledattention.tests.Providers;
import org.recycledattention.tests.SimulatedDecoder;

/** Every policy on the real cpu backend, against full attention and against the budget. */
class CpuBackendPolicyTest {
  private static final ModelShape SHAPE = SimulatedDecoder.shape(2, 4, 2, 16);
  private static final int PROMPT = 40;
  private static final int DECODE = 50;
  private static final long SEED = 0x2411_0578_7L;

  private static AttentionPolicyProvider provider(String name) {
    return Providers.policy(name);
  }

  private static Map<String, String> keys(String... keyValues) {
    Map<String, String> raw = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      raw.put(keyValues[i], keyValues[i + 1]);
    }
    return raw;
  }

  static Stream<Arguments> configurations() {
    return Stream.of(
        Arguments.of("local", keys()),
        Arguments.of("local", keys("sink-tokens", "0")),
        Arguments.of("h2o", keys()),
        Arguments.of("h2o", keys("heavy-ratio", "1")),
        Arguments.of("snapkv", keys()),
        Arguments.of("recycled", keys()),
        Arguments.of("recycled", keys("stride", "3", "local-tokens", "5", "group-reduction", "mean", "pool-kernel", "1")),
        Arguments.of("recycled", keys("schedule", "dynamic", "check-interval", "2", "similarity-threshold", "0.85")),
        Arguments.of("recycled", keys("schedule", "dynamic", "check-interval", "1", "similarity-threshold", "1", "group-reduction", "first")));
  }

  static Stream<Arguments> configurationsWithBudgetAndChunk() {
    return configurations().flatMap(a -> Stream.of(
        Arguments.of(a.get()[0], a.get()[1], PROMPT + DECODE, 16), // budget exactly the sequence length
        Arguments.of(a.get()[0], a.get()[1], 1000, 1))); // token-by-token prefill (no multi-query)
  }

  @ParameterizedTest(name = "{0} {1} budget={2} chunk={3}")
  @MethodSource("configurationsWithBudgetAndChunk")
  void withABudgetCoveringTheSequenceEveryPolicyIsExactlyFullAttention(String name, Map<String, String> raw, int budget, int chunk) {
    CpuSequence sequence = new CpuSequence(SHAPE, PROMPT, DECODE, SEED);
    List<float[]> full = sequence.run(Providers.create(new FullPolicyProvider(), budget, Map.of(), SHAPE), chunk, null);
    List<float[]> outputs = sequence.run(Providers.create(provider(name), budget, raw, SHAPE), chunk, null);
    assertThat(outputs).hasSameSizeAs(full);
    for (int i = 0; i < full.size(); i++) {
      assertThat(outputs.get(i)).as("seed %d, call %d", SEED, i).isEqualTo(full.get(i));
    }
  }

  static Stream<Arguments> smallBudgets() {
    return configurations().flatMap(a -> Stream.of(Arguments.of(a.get()[0], a.get()[1], 12), Arguments.of(a.get()[0], a.get()[1], 31)));
  }

  @ParameterizedTest(name = "{0} {1} budget={2}")
  @MethodSource("smallBudgets")
  void theWorkingSetNeverExceedsTheBudgetPlusTheCurrentToken(String name, Map<String, String> raw, int budget) {
    CpuSequence sequence = new CpuSequence(SHAPE, PROMPT, DECODE, SEED);
    AttentionPolicy policy = Providers.create(provider(name), budget, raw, SHAPE);
    boolean recycled = name.equals("recycled");
    int[] partialSteps = {0};
    sequence.run(policy, 16, (layer, step, plan, result, out, ws) -> {
      String where = "seed " + SEED + " layer " + layer + " position " + step.position();
      if (step.phase() == Phase.DECODE) {
        assertThat(result.attendedTokens()).as(where).isLessThanOrEqualTo(recycled && plan instanceof StepPlan.Full ? step.position() + 1 : budget + 1);
      }
      if (step.phase() != Phase.PREFILL) {
        if (recycled) {
          assertThat(ws.partialLength()).as(where).isEqualTo(Math.min(budget, step.position() + 1));
          assertThat(ws.length()).as(where).isEqualTo(step.position() + 1); // the full cache is never evicted
        } else {
          assertThat(ws.length()).as(where).isEqualTo(Math.min(budget, step.position() + 1));
        }
      }
      if (plan instanceof StepPlan.Partial) {
        partialSteps[0]++;
        assertThat(result.attendedTokens()).as(where).isEqualTo(budget + 1);
        checkPartialCacheHoldsTheCurrentToken(layer, step.position(), ws, budget);
      }
      if (name.equals("local") && step.phase() != Phase.PREFILL) {
        assertThat(positions(ws)).as(where).isEqualTo(localWindow(Integer.parseInt(raw.getOrDefault("sink-tokens", "4")), budget,
            step.phase() == Phase.PREFILL ? -1 : step.position()));
      }
    });
    if (recycled && !"1".equals(raw.get("similarity-threshold"))) { // threshold 1 with a check every step: always full
      assertThat(partialSteps[0]).isPositive();
    }
  }

  @ParameterizedTest(name = "heavy-ratio={0}")
  @MethodSource("heavyRatios")
  void h2oAlwaysKeepsItsRecentWindow(String ratio) {
    int budget = 12;
    AttentionPolicy policy = Providers.create(provider("h2o"), budget, keys("heavy-ratio", ratio), SHAPE);
    int recent = budget - (int) Math.floor(budget * Double.parseDouble(ratio));
    new CpuSequence(SHAPE, PROMPT, DECODE, SEED).run(policy, 16, (layer, step, plan, result, out, ws) -> {
      for (int h = 0; h < ws.kvHeads(); h++) {
        TreeSet<Integer> kept = new TreeSet<>();
        for (int slot = 0; slot < ws.length(); slot++) {
          kept.add(ws.position(h, slot));
        }
        for (int p = Math.max(0, step.position() - recent + 1); p <= step.position(); p++) {
          assertThat(kept).as("seed %d layer %d head %d position %d", SEED, layer, h, step.position()).contains(p);
        }
      }
    });
  }

  static Stream<String> heavyRatios() {
    return Stream.of("0", "0.25", "0.5", "1");
  }

  /** The positions a local policy keeps, or null when nothing can have been evicted yet. */
  private static TreeSet<Integer> localWindow(int sinks, int budget, int position) {
    if (position < 0) {
      return null;
    }
    TreeSet<Integer> s = new TreeSet<>();
    for (int p = 0; p <= position; p++) {
      if (p < sinks || p > position - (budget - sinks) || position < budget) {
        s.add(p);
      }
    }
    return s;
  }

  private static TreeSet<Integer> positions(WorkingSet ws) {
    TreeSet<Integer> s = new TreeSet<>();
    for (int h = 0; h < ws.kvHeads(); h++) {
      TreeSet<Integer> head = new TreeSet<>();
      for (int slot = 0; slot < ws.length(); slot++) {
        head.add(ws.position(h, slot));
      }
      if (h == 0) {
        s = head;
      } else {
        assertThat(head).isEqualTo(s);
      }
    }
    return s;
  }

  /** After a recycled step the partial cache holds K distinct positions, the token just attended the newest. */
  private static void checkPartialCacheHoldsTheCurrentToken(int layer, int position, WorkingSet ws, int budget) {
    for (int h = 0; h < ws.kvHeads(); h++) {
      TreeSet<Integer> p = new TreeSet<>();
      for (int slot = 0; slot < ws.partialLength(); slot++) {
        p.add(ws.partialPosition(h, slot));
      }
      assertThat(p).as("layer %d head %d", layer, h).hasSize(Math.min(budget, position + 1));
      assertThat(p.last()).as("layer %d head %d", layer, h).isEqualTo(position);
    }
  }

  @ParameterizedTest(name = "budget={0}")
  @MethodSource("recycledBudgets")
  void aRecycledStepIsAttentionOverThePartialCachePlusTheCurrentToken(int budget) {
    CpuSequence sequence = new CpuSequence(SHAPE, PROMPT, DECODE, SEED);
    AttentionPolicy policy = Providers.create(provider("recycled"), budget, keys("stride", "4"), SHAPE);
    // the partial cache's positions after each layer's previous step: what a recycled step must attend
    Map<Integer, List<TreeSet<Integer>>> before = new HashMap<>();
    int[] checked = {0};
    sequence.run(policy, 16, (layer, step, plan, result, out, ws) -> {
      if (plan instanceof StepPlan.Partial) {
        float[] expected = reference(sequence, layer, step.position(), before.get(layer));
        for (int i = 0; i < expected.length; i++) {
          assertThat(out[i]).as("seed %d layer %d position %d element %d", SEED, layer, step.position(), i)
              .isCloseTo(expected[i], within(1e-4f));
        }
        checked[0]++;
      }
      before.put(layer, partialPositions(ws));
    });
    assertThat(checked[0]).isEqualTo(SHAPE.layers() * (DECODE - DECODE / 4));
  }

  static Stream<Integer> recycledBudgets() {
    return Stream.of(8, 20);
  }

  private static List<TreeSet<Integer>> partialPositions(WorkingSet ws) {
    List<TreeSet<Integer>> heads = new java.util.ArrayList<>();
    for (int h = 0; h < ws.kvHeads(); h++) {
      TreeSet<Integer> p = new TreeSet<>();
      for (int slot = 0; slot < ws.partialLength(); slot++) {
        p.add(ws.partialPosition(h, slot));
      }
      heads.add(p);
    }
    return heads;
  }

  /** Reference attention of the query at {@code position} over the given positions per KV head, plus the current token. */
  private static float[] reference(CpuSequence s, int layer, int position, List<TreeSet<Integer>> attendedPerHead) {
    int d = SHAPE.headDim();
    int group = SHAPE.groupSize();
    float[] q = s.query(position, layer);
    float[] out = new float[SHAPE.queryHeads() * d];
    for (int qh = 0; qh < SHAPE.queryHeads(); qh++) {
      int kvh = qh / group;
      TreeSet<Integer> set = new TreeSet<>(attendedPerHead.get(kvh));
      set.add(position);
      double[] logits = new double[set.size()];
      int i = 0;
      double max = Double.NEGATIVE_INFINITY;
      for (int p : set) {
        float[] k = s.key(p, layer);
        double dot = 0;
        for (int j = 0; j < d; j++) {
          dot += (double) q[qh * d + j] * k[kvh * d + j];
        }
        logits[i] = dot / Math.sqrt(d);
        max = Math.max(max, logits[i++]);
      }
      double sum = 0;
      for (i = 0; i < logits.length; i++) {
        logits[i] = Math.exp(logits[i] - max);
        sum += logits[i];
      }
      i = 0;
      for (int p : set) {
        float[] v = s.value(p, layer);
        for (int j = 0; j < d; j++) {
          out[qh * d + j] += (float) (logits[i] / sum * v[kvh * d + j]);
        }
        i++;
      }
    }
    return out;
  }
}
