package org.recycledattention.engine.crossbackend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.engine.decode.PolicyFactory;
import org.recycledattention.engine.decode.Session;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.tests.Providers;
import org.recycledattention.tests.TestSeed;

/**
 * Every available backend gives the cpu backend's results on the stories260K F32 model, under
 * every built-in policy at budget 64 (recycled with stride 4):
 * <ul>
 *   <li>teacher-forced over one 256-token stream (a 96-token prompt, longer than the budget, then 160
 *       steps), the logits of every step agree within {@value #F32_TOLERANCE} absolute for f32
 *       storage;
 *   <li>greedy generation of up to {@value #GREEDY_TOKENS} tokens from the same 96-token prompt (so the
 *       policy has evicted or selected before the first token), and for full attention also from
 *       {@code reference.json}'s prompt B, agrees token for token up to the first step whose top-1/top-2 logit margin
 *       (from cpu's logits) is below {@value #MARGIN}: this model has near-ties where any rounding
 *       difference may pick the other token ({@code reference.json} lists them for its prompts).
 * </ul>
 * Skipped with a message when the fixtures folder ({@code -Dra.fixtures}) is absent.
 */
class CrossBackendEquivalenceTest {
  static final double F32_TOLERANCE = 1e-3;
  static final double HALF_TOLERANCE = 5e-2;
  static final double MARGIN = 1e-3;
  static final int BUDGET = 64;
  static final int STREAM = 256;
  static final int PROMPT = 96;
  static final int GREEDY_TOKENS = 64;
  static final int[] PROMPT_B = {1, 300, 301, 302, 400, 450};
  static final List<String> POLICIES = List.of("full", "local", "h2o", "snapkv", "recycled");

  @RegisterExtension
  final TestSeed seed = new TestSeed();

  static Path model() {
    return Path.of(System.getProperty("ra.fixtures", "../shared/fixtures"), "stories260K", "stories260K-f32.gguf");
  }

  @TestFactory
  Stream<DynamicTest> everyBackendAgreesWithCpu() {
    Path file = model();
    assumeTrue(Files.isRegularFile(file), () -> "fixture " + file.toAbsolutePath() + " is absent; set -Dra.fixtures to the shared fixtures folder");
    List<DynamicTest> tests = new ArrayList<>();
    for (KvCacheBackendProvider backend : Providers.backends()) {
      if (backend.name().equals("cpu")) {
        continue;
      }
      for (String policy : POLICIES) {
        tests.add(DynamicTest.dynamicTest(backend.name() + " / " + policy, () -> compare(file, backend, policy)));
      }
    }
    return tests.stream();
  }

  private void compare(Path file, KvCacheBackendProvider provider, String policyName) {
    assumeTrue(provider.isAvailable(), () -> "backend '" + provider.name() + "' is not available here: " + provider.availability().detail());
    AttentionPolicyProvider policy = Providers.policy(policyName);
    Map<String, String> keys = policyName.equals("recycled") ? Map.of("stride", "4") : Map.of();
    PolicyFactory factory = new PolicyFactory(policy, Providers.policyConfig(policy, BUDGET, keys));
    int[] stream = stream(seed.random());
    try (LlamaModel model = Models.loader().load(file);
        KvCacheBackend cpu = Providers.create(Providers.backend("cpu"), Map.of());
        KvCacheBackend other = Providers.create(provider, Map.of())) {
      double tol = other.storageDtype() == KvDtype.F32 && cpu.storageDtype() == KvDtype.F32 ? F32_TOLERANCE : HALF_TOLERANCE;
      String what = "backend '" + provider.name() + "' (" + other.storageDtype() + ") vs cpu, policy " + policyName + " budget " + BUDGET + keys;
      // teacher-forced
      double worst = 0;
      try (Session a = new Session(model, cpu, factory, 1, STREAM); Session b = new Session(model, other, factory, 1, STREAM)) {
        int[] prompt = java.util.Arrays.copyOf(stream, PROMPT);
        worst = Math.max(worst, check(a.prefill(prompt), b.prefill(prompt), tol, what, "after the prompt"));
        for (int i = PROMPT; i < STREAM - 1; i++) {
          worst = Math.max(worst, check(a.step(stream[i]), b.step(stream[i]), tol, what, "teacher-forced step at position " + i));
        }
      }
      System.out.printf("[ra-tests] %s: teacher-forced max |logit diff| %.3g over %d steps%n", what, worst, STREAM - PROMPT);
      if (policyName.equals("full")) { // prompt B fits the budget: every policy would repeat full attention's run
        greedy(model, cpu, other, factory, PROMPT_B, what + ", greedy after reference prompt B");
      }
      greedy(model, cpu, other, factory, java.util.Arrays.copyOf(stream, PROMPT), what + ", greedy after the 96-token prompt");
    }
  }

  /** Greedy decoding on both backends in lockstep while the tokens agree, up to cpu's first near-tie. */
  private static void greedy(LlamaModel model, KvCacheBackend cpu, KvCacheBackend other, PolicyFactory factory, int[] prompt, String what) {
    int agreed = 0;
    String stopped = "all " + GREEDY_TOKENS + " tokens agree";
    try (Session a = new Session(model, cpu, factory, 1, prompt.length + GREEDY_TOKENS);
        Session b = new Session(model, other, factory, 1, prompt.length + GREEDY_TOKENS)) {
      float[] la = a.prefill(prompt);
      float[] lb = b.prefill(prompt);
      for (int t = 0; t < GREEDY_TOKENS; t++) {
        int ta = argmax(la);
        int tb = argmax(lb);
        double margin = margin(la);
        if (margin < MARGIN) {
          stopped = "stopped at step " + t + ": cpu's top-1/top-2 margin " + (float) margin + " < " + MARGIN;
          break;
        }
        if (ta != tb) {
          fail("%s: token %d is %d, cpu chose %d with a top-1/top-2 margin of %s (>= %s); the first %d tokens agreed", what, t, tb, ta, margin,
              MARGIN, agreed);
        }
        agreed++;
        if (t + 1 < GREEDY_TOKENS) {
          la = a.step(ta);
          lb = b.step(tb);
        }
      }
    }
    System.out.printf("[ra-tests] %s: agreed on %d tokens (%s)%n", what, agreed, stopped);
  }

  /** BOS, then random ids from the model's ordinary vocabulary (3..511). */
  private static int[] stream(SplittableRandom r) {
    int[] ids = new int[STREAM];
    ids[0] = 1;
    for (int i = 1; i < STREAM; i++) {
      ids[i] = 3 + r.nextInt(509);
    }
    return ids;
  }

  private static double check(float[] want, float[] got, double tol, String what, String where) {
    assertThat(got).as("%s %s: logits", what, where).hasSameSizeAs(want);
    double worst = 0;
    for (int i = 0; i < want.length; i++) {
      double d = Math.abs(want[i] - got[i]);
      if (!(d <= tol)) {
        fail("%s %s: logit %d is %s, cpu %s (|diff| %s > %s)", what, where, i, got[i], want[i], d, tol);
      }
      worst = Math.max(worst, d);
    }
    return worst;
  }

  private static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  private static double margin(float[] logits) {
    int top = argmax(logits);
    double second = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < logits.length; i++) {
      if (i != top) {
        second = Math.max(second, logits[i]);
      }
    }
    return logits[top] - second;
  }
}
