package org.recycledattention.engine.decode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.engine.decode.GenerationRequest;
import org.recycledattention.engine.decode.GenerationResult;
import org.recycledattention.engine.decode.Generator;
import org.recycledattention.engine.decode.PolicyFactory;
import org.recycledattention.engine.decode.Session;
import org.recycledattention.engine.decode.TokenListener;
import org.recycledattention.engine.testing.Runtimes;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.testing.Fixtures;

/**
 * The stories260K checkpoint in every format against llama2.c's {@code run.c} and the float64
 * numpy re-implementation on dequantized weights (see the fixture's README).
 */
class Stories260kTest {
  private static Path dir;
  private static JsonNode reference;
  private static JsonNode logits;
  private static KvCacheBackend backend;
  private static PolicyFactory full;

  @BeforeAll
  static void load() throws IOException {
    dir = Fixtures.stories();
    ObjectMapper json = new ObjectMapper();
    reference = json.readTree(dir.resolve("reference.json").toFile());
    logits = json.readTree(dir.resolve("logits.json").toFile());
    backend = Runtimes.cpu();
    full = Runtimes.full();
  }

  @AfterAll
  static void close() {
    if (backend != null) {
      backend.close();
    }
  }

  private static int[] ints(JsonNode array) {
    return IntStream.range(0, array.size()).map(i -> array.get(i).asInt()).toArray();
  }

  private static int[] generate(LlamaModel model, int[] prompt, int n, int threads) {
    GenerationResult r = new Generator(model, backend, full, threads).generate(GenerationRequest.greedy(prompt, n), TokenListener.NONE);
    return r.tokens();
  }

  @ParameterizedTest
  @ValueSource(strings = {"stories260K.bin", "stories260K-f32.gguf"})
  void f32GreedyTokensAreExactlyLlama2cs(String file) {
    try (LlamaModel model = Models.loader().load(dir.resolve(file))) {
      assertThat(generate(model, new int[] {1}, 200, 1)).as("200 tokens from BOS").containsExactly(ints(reference.get("llama2c_greedy_from_bos")));
      assertThat(generate(model, ints(reference.get("prompt_ids")), 100, 2)).as("100 tokens after the prompt")
          .containsExactly(ints(reference.get("llama2c_greedy_after_prompt")));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"stories260K.bin", "stories260K-f32.gguf"})
  void f32LogitsOfTheFirstStepsMatchLlama2cWithin1e4(String file) {
    try (LlamaModel model = Models.loader().load(dir.resolve(file))) {
      assertTeacherForcedLogits(model, new int[] {1}, reference.get("llama2c_greedy_from_bos"), logits.get("llama2c").get("from_bos"), 1e-4);
      assertTeacherForcedLogits(model, ints(reference.get("prompt_ids")), reference.get("llama2c_greedy_after_prompt"),
          logits.get("llama2c").get("after_prompt"), 1e-4);
    }
  }

  @Test
  void ggufConfigIsTheLlama2cHeader() {
    try (LlamaModel bin = Models.loader().load(dir.resolve("stories260K.bin"));
        LlamaModel gguf = Models.loader().load(dir.resolve("stories260K-q4_0.gguf"))) {
      ModelConfig expected = new ModelConfig("llama", 64, 172, 5, 8, 4, 8, 512, 512, 1e-5f, 10000f, true, null, false, true);
      assertThat(bin.config()).isEqualTo(expected);
      // the converter writes output.weight as a copy, so the GGUF is untied
      assertThat(gguf.config()).isEqualTo(new ModelConfig("llama", 64, 172, 5, 8, 4, 8, 512, 512, 1e-5f, 10000f, true, null, false, false));
      assertThat(gguf.weights().output().type().name()).isEqualTo("Q8_0");
      assertThat(gguf.weights().layers().get(0).down().type().name()).isEqualTo("F16");
      assertThat(gguf.description()).contains("GGUF v3", "Q4_0");
    }
  }

  /** Feeds the prompt and then the reference ids; each step's logits must match the reference's. */
  private static void assertTeacherForcedLogits(LlamaModel model, int[] prompt, JsonNode ids, JsonNode expectedSteps, double tolerance) {
    try (Session s = new Session(model, backend, full, 1, 512)) {
      float[] got = s.prefill(prompt);
      for (int step = 0; step < expectedSteps.size(); step++) {
        JsonNode expected = expectedSteps.get(step);
        assertThat(expected.size()).isEqualTo(512);
        double maxDiff = 0;
        for (int i = 0; i < 512; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(got[i] - expected.get(i).asDouble()));
        }
        assertThat(maxDiff).as("%s, prompt %s, step %d: max |logit - reference|", model.source().getFileName(), java.util.Arrays.toString(prompt), step)
            .isLessThanOrEqualTo(tolerance);
        got = s.step(ids.get(step).asInt());
      }
    }
  }
}
