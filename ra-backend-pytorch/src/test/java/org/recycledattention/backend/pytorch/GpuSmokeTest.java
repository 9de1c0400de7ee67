package org.recycledattention.backend.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.recycledattention.backend.pytorch.PytorchTestSupport.maxError;
import static org.recycledattention.tests.RandomData.gaussian;
import static org.recycledattention.tests.RandomData.range;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.ScoreMath;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.config.ConfigKeys;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.tests.ReferenceAttention;

/**
 * The CUDA path (device twins of the staging tensors, host copies of results, half matmuls):
 * attention, scores, top-K, gather and a Partial step against the reference. Skipped unless
 * libtorch sees a CUDA device (build with {@code -Pcuda} on a machine with an NVIDIA GPU).
 */
class GpuSmokeTest {
  @ParameterizedTest
  @ValueSource(strings = {"float32", "float16"})
  void attentionOnTheGpuMatchesTheReference(String dtype) {
    LibTorch.State state = LibTorch.djl().state();
    assumeTrue(state.loaded() && state.gpus() > 0, () -> "no CUDA device visible to libtorch (" + state.availability().detail()
        + "); GPU tests need a CUDA libtorch (-Pcuda) and a GPU");
    PytorchBackendProvider provider = new PytorchBackendProvider();
    long seed = PytorchTestSupport.seed();
    Random random = new Random(seed);
    double tol = dtype.equals("float32") ? 1e-4 : 2e-2;
    CacheSpec spec = new CacheSpec(1, 8, 2, 64, 4096);
    try (KvCacheBackend backend = provider.create(ProviderConfig.resolve(ConfigKeys.backendPrefix(PytorchBackendProvider.NAME), provider.properties(),
        Map.of("device", "gpu", "dtype", dtype))); KvCache cache = backend.allocate(spec)) {
      ReferenceAttention ref = new ReferenceAttention(new CacheSpec(1, 2 * 4, 2, 64, 1 << 20));
      int n = 1500;
      float[] k = gaussian(random, n * 128, 1);
      float[] v = gaussian(random, n * 128, 1);
      cache.append(0, k, v, range(0, n), n);
      ref.append(0, k, v, range(0, n), n);
      float[] k1 = gaussian(random, 128, 1);
      cache.append(0, k1, k1, new int[] {n}, 1);
      ref.append(0, k1, k1, new int[] {n}, 1);
      float[] q = gaussian(random, 8 * 64, 1);
      float[] out = new float[q.length];
      AttentionResult full = cache.attend(0, q, 1, StepPlan.Full.LAST_MAX, out);
      assertThat(maxError(out, ref.attend(0, q, 1, StepPlan.Full.NO_SCORES).output())).as("seed " + seed).isLessThan(tol);
      Selection selection = full.scores().topK(100, 5, 4);
      assertThat(selection).isEqualTo(ScoreMath.topK(full.scores(), 100, 5, 4));
      cache.workingSet(0).gatherPartial(selection);
      ref.gatherPartial(0, selection);
      AttentionResult partial = cache.attend(0, q, 1, StepPlan.Partial.NO_SCORES, out);
      assertThat(maxError(out, ref.attend(0, q, 1, StepPlan.Partial.NO_SCORES).output())).as("seed " + seed).isLessThan(tol);
      assertThat(partial.attendedTokens()).isEqualTo(101);
    }
  }
}
