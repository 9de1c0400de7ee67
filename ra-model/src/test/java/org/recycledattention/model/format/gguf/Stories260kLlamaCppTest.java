package org.recycledattention.model.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.testing.Fixtures;
import org.recycledattention.model.testing.FullAttentionSequence;
import org.recycledattention.model.testing.Loaders;

/**
 * The stories260K GGUFs of {@code ../shared/fixtures} (a trained five-layer model; skipped when
 * absent) decode llama.cpp's greedy ids, as that folder's {@code reference.json} records them
 * ({@code llamacpp.from_bos.TYPE} and, after the prompt {@code prompt_ids}, {@code llamacpp.TYPE}; the
 * peer's {@code greedy-ids} gives the same ids).
 */
class Stories260kLlamaCppTest {
  /** Below this top1−top2 logit margin a last-bit difference may pick the other token. */
  private static final double NEAR_TIE = 0.05;

  /**
   * The quantized and half-precision files decode llama.cpp's greedy ids (its activations are
   * quantized or rounded as ours are) until the first step whose top1−top2 margin is below 0.05.
   * Not q8_0 from BOS: its ids agree for 26 steps, then at a margin of 0.085 the two engines part,
   * as five layers of activation quantization amplify last-bit differences (the one-layer fixtures
   * of LlamaCppFixturesTest are where every type is held to 0.05); not q4_0 from BOS, whose first
   * margin is below 0.05.
   */
  @ParameterizedTest
  @CsvSource({"f32, bos", "f32, prompt", "f16, bos", "f16, prompt", "q8_0, prompt", "q4_0, prompt"})
  void greedyIdsAreLlamaCppsUntilTheFirstNearTie(String type, String prompt) throws IOException {
    Path dir = Fixtures.stories();
    JsonNode reference = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
    JsonNode llamaCpp = reference.get("llamacpp");
    JsonNode ref = prompt.equals("bos") ? llamaCpp.get("from_bos").get(type) : llamaCpp.get(type);
    int[] ids = prompt.equals("bos")
        ? new int[] {1}
        : IntStream.range(0, reference.get("prompt_ids").size()).map(i -> reference.get("prompt_ids").get(i).asInt()).toArray();
    try (LlamaModel model = Loaders.formats().load(dir.resolve("stories260K-" + type + ".gguf"))) {
      int[] got = greedyUntilNearTie(model, ids, ref.size());
      assertThat(got.length).as("steps before the first margin < %s", NEAR_TIE).isGreaterThan(0);
      int[] expected = IntStream.range(0, got.length).map(i -> ref.get(i).asInt()).toArray();
      assertThat(got).as("%s from %s: the first %d ids", type, prompt, got.length).containsExactly(expected);
    }
  }

  /** Greedy ids after {@code prompt}, at most {@code n}, up to (not including) the first near tie. */
  private static int[] greedyUntilNearTie(LlamaModel model, int[] prompt, int n) {
    IntStream.Builder out = IntStream.builder();
    try (FullAttentionSequence s = new FullAttentionSequence(model, prompt.length + n + 1, 256)) {
      float[] logits = s.prefill(prompt);
      for (int i = 0; i < n; i++) {
        int best = 0;
        float second = Float.NEGATIVE_INFINITY;
        for (int j = 1; j < logits.length; j++) {
          if (logits[j] > logits[best]) {
            second = logits[best];
            best = j;
          } else if (logits[j] > second) {
            second = logits[j];
          }
        }
        if (logits[best] - second < NEAR_TIE) {
          break;
        }
        out.add(best);
        logits = s.step(best);
      }
    }
    return out.build().toArray();
  }
}
