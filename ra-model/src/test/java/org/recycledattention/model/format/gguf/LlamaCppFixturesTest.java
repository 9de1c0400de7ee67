package org.recycledattention.model.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.model.testing.FullAttentionSequence;
import org.recycledattention.model.testing.Loaders;

/**
 * Every weight type, in files {@code llama-quantize} wrote, decodes llama.cpp's greedy ids: the
 * fixtures of {@code src/test/resources/quant-fixtures} (README there: three random-weight models,
 * every type whole-file, llama-quantize's mixes, {@code greedy-ids} references for three prompts).
 * Ids are compared up to the first step whose top1−top2 margin in llama.cpp is below 0.05, where
 * two correct engines may order a near-tie differently.
 */
class LlamaCppFixturesTest {
  static final Path DIR = Path.of("src/test/resources/quant-fixtures");
  static final double NEAR_TIE = 0.05;
  static final List<String> PROMPTS = List.of("bos", "short", "long");
  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<String> files() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".gguf")).sorted().toList().stream();
    }
  }

  private static JsonNode json(String name) throws IOException {
    return JSON.readTree(DIR.resolve(name).toFile());
  }

  private static int[] ints(JsonNode a) {
    return IntStream.range(0, a.size()).map(i -> a.get(i).asInt()).toArray();
  }

  /** Steps before llama.cpp's first top1−top2 margin below {@link #NEAR_TIE}. */
  private static int comparable(JsonNode reference) {
    JsonNode margins = reference.get("margins");
    int n = 0;
    while (n < margins.size() && margins.get(n).asDouble() >= NEAR_TIE) {
      n++;
    }
    return n;
  }

  /** Greedy ids (the first of equal logits, as greedy-ids picks) after {@code prompt}, with full attention. */
  static int[] greedy(LlamaModel model, int[] prompt, int n) {
    int[] out = new int[n];
    try (FullAttentionSequence s = new FullAttentionSequence(model, prompt.length + n + 1, 256)) {
      float[] logits = s.prefill(prompt);
      for (int i = 0; i < n; i++) {
        int best = 0;
        for (int j = 1; j < logits.length; j++) {
          if (logits[j] > logits[best]) {
            best = j;
          }
        }
        out[i] = best;
        if (i + 1 < n) {
          logits = s.step(best);
        }
      }
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("files")
  void greedyIdsAreLlamaCppsUntilTheFirstNearTie(String file) throws IOException {
    JsonNode prompts = json("prompts.json");
    JsonNode reference = json(file.replace(".gguf", ".json"));
    try (LlamaModel model = Loaders.formats().load(DIR.resolve(file))) {
      for (String p : PROMPTS) {
        int n = comparable(reference.get(p));
        int[] expected = Arrays.copyOf(ints(reference.get(p).get("ids")), n);
        assertThat(greedy(model, ints(prompts.get(p)), n)).as("%s, prompt %s: the %d ids before llama.cpp's first margin < %s", file, p, n, NEAR_TIE)
            .containsExactly(expected);
      }
    }
  }

  /**
   * The comparisons prove something: llama.cpp's continuations are not a repeated token, its
   * margins are mostly clear, and every type compares a fair run of ids over its fixtures.
   */
  @Test
  void theReferencesAreNotDegenerate() throws IOException {
    Map<String, Integer> comparedByType = new TreeMap<>();
    for (String file : files().toList()) {
      JsonNode reference = json(file.replace(".gguf", ".json"));
      String type = file.substring(file.lastIndexOf('-') + 1, file.length() - ".gguf".length());
      for (String p : PROMPTS) {
        int[] ids = ints(reference.get(p).get("ids"));
        long large = 0;
        for (JsonNode m : reference.get(p).get("margins")) {
          large += m.asDouble() >= NEAR_TIE ? 1 : 0;
        }
        assertThat(IntStream.of(ids).distinct().count()).as("%s %s: distinct ids of %d", file, p, ids.length).isGreaterThanOrEqualTo(3);
        assertThat(large).as("%s %s: margins >= %s of %d", file, p, NEAR_TIE, ids.length).isGreaterThanOrEqualTo(ids.length * 3 / 4);
        if (!file.contains("-mix-")) {
          comparedByType.merge(type, comparable(reference.get(p)), Integer::sum);
        }
      }
    }
    assertThat(comparedByType).as("ids compared per type").hasSize(expectedTypes()).allSatisfy((type, n) -> assertThat(n).as(type).isGreaterThanOrEqualTo(40));
  }

  /** Each readable type except F32 (exact on stories260K, see Stories260kTest) has a whole-file fixture of each model. */
  @Test
  void everyTypeIsCoveredByWholeFileFixturesOfEachModel() throws IOException {
    Set<GgmlType> expected = EnumSet.noneOf(GgmlType.class);
    for (GgmlType t : GgmlType.values()) {
      if (t.supported() && t != GgmlType.F32) {
        expected.add(t);
      }
    }
    for (String model : List.of("llama-a", "llama-b", "qwen2")) {
      Set<GgmlType> found = EnumSet.noneOf(GgmlType.class);
      for (GgmlType t : expected) {
        Path f = DIR.resolve(model + "-" + t.name().toLowerCase(Locale.ROOT) + ".gguf");
        if (Files.exists(f) && matrixTypes(f).equals(Set.of(t.name()))) {
          found.add(t);
        }
      }
      assertThat(found).as("%s: types with a whole-file fixture", model).isEqualTo(expected);
    }
    List<String> mixes = new ArrayList<>();
    for (String f : files().toList()) {
      if (f.contains("-mix-")) {
        mixes.add(f + " " + matrixTypes(DIR.resolve(f)));
      }
    }
    assertThat(mixes).as("llama-quantize's mixes").hasSize(10).anyMatch(m -> m.contains("q4_k_m") && m.contains("Q6_K") && m.contains("Q4_K"))
        .anyMatch(m -> m.contains("mix-q4_0") && m.contains("Q6_K"));
  }

  private static int expectedTypes() {
    return (int) Arrays.stream(GgmlType.values()).filter(t -> t.supported() && t != GgmlType.F32).count();
  }

  private static Set<String> matrixTypes(Path file) {
    try (GgufFile f = GgufFile.open(file)) {
      Set<String> types = new TreeSet<>();
      for (GgufTensorInfo t : f.tensors().values()) {
        if (t.dims().length == 2) {
          types.add(t.typeName());
        }
      }
      return types;
    }
  }
}
