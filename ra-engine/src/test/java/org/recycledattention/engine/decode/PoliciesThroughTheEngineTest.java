package org.recycledattention.engine.decode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.engine.testing.Runtimes;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.testing.Fixtures;
import org.recycledattention.tests.Providers;

/**
 * Every attention policy on the class path, through the real forward pass and the cpu backend:
 * with a budget as large as the sequence each must reproduce llama2.c's tokens; with a small
 * budget each must run and report what it did.
 */
class PoliciesThroughTheEngineTest {
  private static KvCacheBackend backend;
  private static LlamaModel model;
  private static JsonNode reference;

  @BeforeAll
  static void setUp() throws IOException {
    Path dir = Fixtures.stories();
    backend = Runtimes.cpu();
    Assumptions.assumeTrue(backend.name().equals("cpu"), "the cpu backend is not on the class path");
    reference = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
    model = Models.loader().load(dir.resolve("stories260K-f32.gguf"));
  }

  @AfterAll
  static void tearDown() {
    if (model != null) {
      model.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private static List<AttentionPolicyProvider> policies() {
    List<AttentionPolicyProvider> list = new ArrayList<>(Providers.policies());
    list.removeIf(p -> p.name().startsWith("test-"));
    Assumptions.assumeTrue(list.size() > 1, "ra-policies is not on the class path");
    return list;
  }

  private static PolicyFactory factory(AttentionPolicyProvider p, int budget) {
    return new PolicyFactory(p, new PolicyConfig(budget, ProviderConfig.defaults("ra.policy." + p.name() + ".", p.properties())));
  }

  private static int[] ints(JsonNode a) {
    return IntStream.range(0, a.size()).map(i -> a.get(i).asInt()).toArray();
  }

  @Test
  void aBudgetAsLargeAsTheSequenceReproducesFullAttention() {
    int[] prompt = ints(reference.get("prompt_ids"));
    // the first 30 greedy steps after the prompt all have a top-1/top-2 margin >= 0.018
    int[] expected = java.util.Arrays.copyOf(ints(reference.get("llama2c_greedy_after_prompt")), 30);
    List<String> ran = new ArrayList<>();
    for (AttentionPolicyProvider p : policies()) {
      if (!backend.capabilities().containsAll(p.requiredCapabilities())) {
        continue;
      }
      ran.add(p.name());
      GenerationResult r = new Generator(model, backend, factory(p, 512), 1).generate(GenerationRequest.greedy(prompt, 30), TokenListener.NONE);
      assertThat(r.tokens()).as("policy %s with budget 512", p.name()).containsExactly(expected);
    }
    // the built-in policies all run on the cpu backend
    assertThat(ran).contains("full", "recycled");
  }

  /** With two kernel threads the cpu cache attends on them (no pool hand-off); the tokens stay llama2.c's. */
  @Test
  void theCpuCacheAttendsOnTheSessionsKernelThreads() {
    PolicyFactory full = factory(policies().stream().filter(p -> p.name().equals("full")).findFirst().orElseThrow(),
        512);
    int[] prompt = ints(reference.get("prompt_ids"));
    int[] expected = java.util.Arrays.copyOf(ints(reference.get("llama2c_greedy_after_prompt")), 30);
    try (KvCacheBackend two = Providers.create(Providers.backend("cpu"), Map.of("dtype", "f32", "threads", "2"))) {
      try (Session s = new Session(model, two, full, 2, 64)) {
        assertThat(s.attentionOnKernelThreads()).as("two kernel threads, a two-thread backend").isTrue();
      }
      try (Session s = new Session(model, two, full, 1, 64)) {
        assertThat(s.attentionOnKernelThreads()).as("one kernel thread: the backend's pool").isFalse();
      }
      GenerationResult r = new Generator(model, two, full, 2)
          .generate(GenerationRequest.greedy(prompt, 30), TokenListener.NONE);
      assertThat(r.tokens()).containsExactly(expected);
    }
  }

  @Test
  void aSmallBudgetRunsEveryPolicyAndAttendsFewerTokens() {
    for (AttentionPolicyProvider p : policies()) {
      if (!backend.capabilities().containsAll(p.requiredCapabilities())) {
        continue;
      }
      GenerationResult r = new Generator(model, backend, factory(p, 16), 1).generate(GenerationRequest.greedy(new int[] {1}, 100), TokenListener.NONE);
      GenerationStats s = r.stats();
      assertThat(r.tokens()).as(p.name()).hasSize(100);
      assertThat(s.fullSteps() + s.partialSteps()).as(p.name()).isEqualTo(99L * 5);
      if (p.usesBudget()) {
        // full attention would attend 51 entries per layer-step on average
        assertThat(s.meanTokensAttended()).as("%s: mean tokens attended", p.name()).isLessThan(40);
      } else {
        assertThat(s.meanTokensAttended()).as(p.name()).isEqualTo(51.0);
      }
    }
  }
}
