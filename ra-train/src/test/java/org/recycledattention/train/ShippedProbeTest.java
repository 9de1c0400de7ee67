package org.recycledattention.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.engine.decode.PolicyFactory;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.eval.ruler.RulerCell;
import org.recycledattention.eval.ruler.RulerPolicy;
import org.recycledattention.eval.ruler.RulerRunner;
import org.recycledattention.eval.ruler.RulerTask;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.probe.ShippedProbe;
import org.recycledattention.tests.Providers;

/** The probe model shipped as a resource (what {@code ra demo} runs on): it loads in the engine and full attention retrieves with it. */
class ShippedProbeTest {
  @TempDir
  Path tmp;

  private Path probe() throws Exception {
    Path file = tmp.resolve("probe.gguf");
    assertThat(ShippedProbe.copyTo(file)).as("resource " + ShippedProbe.RESOURCE + " (written by ra train-probe)").isTrue();
    return file;
  }

  private static PolicyFactory policy(String name, int budget) {
    AttentionPolicyProvider p = Providers.policy(name);
    return new PolicyFactory(p, Providers.policyConfig(p, budget, Map.of()));
  }

  @Test
  void isSmallAndHasTheProbeGeometryAndVocabulary() throws Exception {
    Path file = probe();
    assertThat(Files.size(file)).isLessThan(8L << 20);
    try (LanguageModel lm = Models.load(file)) {
      assertThat(lm.config().layers()).isEqualTo(ProbeGeometry.DEFAULT.layers());
      // the probe's vocabulary or an earlier version of it, which train-probe --init carries over
      assertThat(lm.config().vocabSize()).isBetween(ProbeVocabulary.build().size() * 9 / 10, ProbeVocabulary.build().size());
      assertThat(lm.config().tiedOutput()).isTrue();
      assertThat(lm.tokenizer()).isPresent();
    }
    ProbeWeights carried = ProbeReader.read(file);
    assertThat(carried.vocabulary().size()).isEqualTo(ProbeVocabulary.build().size());
    assertThat(carried.geometry().layers()).isEqualTo(ProbeGeometry.DEFAULT.layers());
  }

  @Test
  void fullAttentionFindsTheNeedleAtTheDemosLongestLength() throws Exception {
    int length = 1024; // the longest length of ra demo
    try (LanguageModel lm = Models.load(probe()); KvCacheBackend backend = Providers.create(Providers.backend("cpu"), Map.of())) {
      List<RulerCell> cells = new RulerRunner(lm, backend, 1).run(List.of(RulerTask.NIAH_SINGLE), List.of(length), 8, 7,
          n -> List.of(RulerPolicy.of(policy("full", n)), RulerPolicy.of(policy("recycled", n + 16))), p -> {});
      assertThat(cells).hasSize(2);
      assertThat(cells.get(0).accuracy()).as("full attention, niah_single at %d tokens", length).isGreaterThanOrEqualTo(75.0);
      // budget above the length: recycled attends everything and answers exactly as full attention does
      assertThat(cells.get(1).accuracy()).isEqualTo(cells.get(0).accuracy());
    }
  }

  @Test
  void continuedPretrainingWithRecycledAttentionMadeItAnswerUnderTheDemosSettings() throws Exception {
    // the shipped probe was continued with ra train-probe --train-policy recycled (budget 64, stride 5): at the demo's K,
    // Recycled Attention (default stride: no full step inside the answer) finds the needle, local does not; before that
    // training recycled answered no sample
    int length = 512;
    try (LanguageModel lm = Models.load(probe()); KvCacheBackend backend = Providers.create(Providers.backend("cpu"), Map.of())) {
      List<RulerCell> cells = new RulerRunner(lm, backend, 1).run(List.of(RulerTask.NIAH_SINGLE), List.of(length), 4, 7,
          n -> List.of(RulerPolicy.of(policy("recycled", 64)), RulerPolicy.of(policy("local", 64))), p -> {});
      assertThat(cells.get(0).accuracy()).as("recycled, K = 64, niah_single at %d tokens", length).isGreaterThanOrEqualTo(75.0);
      assertThat(cells.get(1).accuracy()).as("local, K = 64").isLessThanOrEqualTo(25.0);
    }
  }

  @Test
  void warmingTheJitUpChangesNoAnswer() throws Exception {
    // ra demo and ra eval ruler warm the JIT up before the first cell (untimed answers): the cells' answers stay the same
    try (LanguageModel lm = Models.load(probe()); KvCacheBackend backend = Providers.create(Providers.backend("cpu"), Map.of())) {
      RulerRunner plain = new RulerRunner(lm, backend, 1);
      List<String> policies = List.of("full", "recycled", "snapkv");
      List<RulerCell> cold = plain.run(List.of(RulerTask.NIAH_SINGLE), List.of(256), 3, 5,
          n -> policies.stream().map(p -> RulerPolicy.of(policy(p, 64))).toList(), p -> {});
      List<RulerCell> warm = plain.withJitWarmUp().run(List.of(RulerTask.NIAH_SINGLE), List.of(256), 3, 5,
          n -> policies.stream().map(p -> RulerPolicy.of(policy(p, 64))).toList(), p -> {});
      assertThat(warm).extracting(RulerCell::policy, RulerCell::accuracy, RulerCell::fullSteps)
          .isEqualTo(cold.stream().map(c -> tuple(c.policy(), c.accuracy(), c.fullSteps())).toList());
    }
  }
}
