package org.recycledattention.backend.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.tests.Providers;
import org.recycledattention.tests.RandomData;
import org.recycledattention.tests.ReferenceAttention;

class OnnxBackendProviderTest {
  private static final String PREFIX = "ra.backend.onnx.";

  private static ProviderConfig config(Map<String, String> raw) {
    return ProviderConfig.resolve(PREFIX, new OnnxBackendProvider().properties(), raw);
  }

  @Test
  void isFoundByServiceLoaderAndAvailable() {
    KvCacheBackendProvider p = Providers.backend("onnx");
    assertThat(p).isInstanceOf(OnnxBackendProvider.class);
    assertThat(p.availability().available()).as(p.availability().detail()).isTrue();
    assertThat(p.availability().detail()).contains("ONNX Runtime 1.23").contains("CPU");
    assertThat(p.capabilities()).containsExactlyInAnyOrder(BackendCapability.values());
    assertThat(p.properties()).extracting(ConfigProperty::key).containsExactly("threads", "execution-provider", "optimization-level");
  }

  @Test
  void aNativeLibraryThatCannotLoadMakesTheBackendUnavailableWithTheReason() {
    var linkError = OnnxBackendProvider.probe(() -> {
      throw new UnsatisfiedLinkError("no onnxruntime in java.library.path");
    });
    assertThat(linkError.available()).isFalse();
    assertThat(linkError.detail()).contains("ONNX Runtime cannot load").contains("no onnxruntime in java.library.path");
    var initError = OnnxBackendProvider.probe(() -> {
      throw new ExceptionInInitializerError("Failed to load onnx-runtime library");
    });
    assertThat(initError.available()).isFalse();
    assertThat(initError.detail()).contains("Failed to load onnx-runtime library");
  }

  @Test
  void everyOptimizationLevelAndThreadCountComputesTheSameAttention() {
    Random random = new Random(9);
    int dim = 64;
    float[] k = RandomData.gaussian(random, 100 * 2 * dim, 1);
    float[] v = RandomData.gaussian(random, 100 * 2 * dim, 1);
    float[] q = RandomData.gaussian(random, 4 * dim, 1);
    ReferenceAttention ref = new ReferenceAttention(new CacheSpec(2, 4, 2, dim, 1 << 20));
    ref.append(0, k, v, RandomData.range(0, 100), 100);
    double[] expected = ref.attend(0, q, 1, StepPlan.Full.NO_SCORES).output();
    for (String level : List.of("none", "basic", "extended", "all")) {
      for (String threads : List.of("0", "2")) {
        try (KvCacheBackend backend = new OnnxBackendProvider().create(config(Map.of("optimization-level", level, "threads", threads)));
            KvCache cache = backend.allocate(new CacheSpec(1, 4, 2, dim, 100))) {
          assertThat(backend.name()).isEqualTo("onnx");
          cache.append(0, k, v, RandomData.range(0, 100), 100);
          float[] out = new float[4 * dim];
          cache.attend(0, q, 1, StepPlan.Full.NO_SCORES, out);
          AttentionTest.assertClose(9, "output at " + level + "/" + threads, out, expected, AttentionTest.OUT_TOLERANCE);
        }
      }
    }
  }

  @Test
  void rejectsUnknownKeysAndValues() {
    assertThatThrownBy(() -> config(Map.of("thread", "2"))).isInstanceOf(ConfigException.class).hasMessageContaining("ra.backend.onnx.threads");
    assertThatThrownBy(() -> config(Map.of("execution-provider", "tpu"))).isInstanceOf(ConfigException.class).hasMessageContaining("cpu | cuda");
    assertThatThrownBy(() -> config(Map.of("optimization-level", "max"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("none | basic | extended | all");
  }

  @Test
  void cudaWithoutTheGpuBuildFailsAtCreateNamingTheJar() {
    org.junit.jupiter.api.Assumptions.assumeFalse(ai.onnxruntime.OrtEnvironment.getAvailableProviders().contains(ai.onnxruntime.OrtProvider.CUDA),
        "this ONNX Runtime build has CUDA; the error path cannot be shown");
    assertThatThrownBy(() -> new OnnxBackendProvider().create(config(Map.of("execution-provider", "cuda"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("onnxruntime_gpu").hasMessageContaining("execution-provider=cpu");
  }

  @Test
  void sessionsAreBuiltOncePerShapeFamilyNotPerStep() {
    Random random = new Random(10);
    int dim = 32;
    try (OnnxBackend backend = OnnxBackend.create(OnnxSettings.defaults());
        KvCache a = backend.allocate(new CacheSpec(2, 4, 2, dim, 300));
        KvCache b = backend.allocate(new CacheSpec(2, 4, 2, dim, 300))) {
      float[] q = RandomData.gaussian(random, 4 * dim, 1);
      float[] out = new float[q.length];
      for (int step = 0; step < 200; step++) {
        for (KvCache c : List.of(a, b)) {
          for (int l = 0; l < 2; l++) {
            c.append(l, RandomData.gaussian(random, 2 * dim, 1), RandomData.gaussian(random, 2 * dim, 1), new int[] {step}, 1);
            var r = c.attend(l, q, 1, StepPlan.Full.LAST_MAX, out);
            r.scores().topK(16, 5, 2);
            c.attend(l, q, 1, StepPlan.Full.NO_SCORES, out);
          }
        }
      }
      assertThat(backend.sessionCount()).isEqualTo(3); // attention with scores, without, selection
    }
  }

  @Test
  void aClosedBackendRefusesWork() {
    OnnxBackend backend = OnnxBackend.create(OnnxSettings.defaults());
    KvCache cache = backend.allocate(new CacheSpec(1, 1, 1, 8, 4));
    cache.append(0, new float[8], new float[8], new int[] {0}, 1);
    backend.close();
    backend.close();
    assertThatThrownBy(() -> cache.attend(0, new float[8], 1, StepPlan.Full.NO_SCORES, new float[8]))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("backend is closed");
    assertThatThrownBy(() -> backend.allocate(new CacheSpec(1, 1, 1, 8, 4))).isInstanceOf(IllegalStateException.class);
    cache.close();
  }
}
