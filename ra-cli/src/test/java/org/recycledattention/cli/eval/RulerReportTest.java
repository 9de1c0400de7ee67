package org.recycledattention.cli.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.eval.ruler.RulerRunner.AnsweredSample;
import org.recycledattention.eval.ruler.RulerRunner.PolicyAnswer;
import org.recycledattention.eval.ruler.RulerTask;
import org.recycledattention.eval.ruler.TaskSample;

/** ruler-answers.jsonl: one line of plain JSON a sample, whatever its text holds. */
class RulerReportTest {
  @Test
  void answersAreOneJsonLineASampleWithNullForADepthThatDoesNotApply(@TempDir Path dir) throws Exception {
    Path file = dir.resolve(RulerReport.ANSWERS);
    TaskSample words = new TaskSample(RulerTask.CWE, "a b\na \"c\"", List.of("a"), 7, Double.NaN);
    TaskSample needle = new TaskSample(RulerTask.NIAH_SINGLE, "x is: 1234567.\nWhat is x?", List.of("1234567"), 12, 0.25);
    RulerReport.writeAnswers(file, List.of(
        new AnsweredSample(words, 64, 0, List.of(new PolicyAnswer("full", " a\nb", 1.0)), List.of(-1)),
        new AnsweredSample(needle, 64, 1, List.of(new PolicyAnswer("full", " 1234567.", 1.0), new PolicyAnswer("local", " 12", 0.0)), List.of(9))));
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2);
    ObjectMapper json = new ObjectMapper();
    JsonNode first = json.readTree(lines.get(0));
    assertThat(first.get("task").asText()).isEqualTo("cwe");
    assertThat(first.get("depth").isNull()).as("NaN is not JSON").isTrue();
    assertThat(first.get("prompt").asText()).isEqualTo("a b\na \"c\"");
    assertThat(first.get("answers").get(0).get("text").asText()).isEqualTo(" a\nb");
    JsonNode second = json.readTree(lines.get(1));
    assertThat(second.get("sample").asInt()).isEqualTo(1);
    assertThat(second.get("depth").asDouble()).isEqualTo(0.25);
    assertThat(second.get("prompt_tokens").asInt()).isEqualTo(12);
    assertThat(first.get("distances").get(0).isNull()).as("a value that is not in the prompt has no distance").isTrue();
    assertThat(second.get("distances").get(0).asInt()).isEqualTo(9);
    assertThat(second.get("expected").get(0).asText()).isEqualTo("1234567");
    assertThat(second.get("answers").get(1).get("policy").asText()).isEqualTo("local");
    assertThat(second.get("answers").get(1).get("score").asDouble()).isZero();
  }

  @Test
  void theDistanceTableBinsEachValueByHowFarBackItSitsPerPolicy() {
    TaskSample near = new TaskSample(RulerTask.NIAH_MULTIQUERY, "a is: 11. b is: 22.", List.of("11", "22"), 300, 0.5);
    TaskSample words = new TaskSample(RulerTask.CWE, "a b", List.of("a"), 3, Double.NaN);
    String table = RulerReport.distanceTable(List.of(
        new AnsweredSample(near, 512, 0, List.of(new PolicyAnswer("full", " 11, 22.", 1.0), new PolicyAnswer("local", " 22, 11.", 1.0)), List.of(300, 10)),
        new AnsweredSample(near, 512, 1, List.of(new PolicyAnswer("full", " 11, 33.", 0.5), new PolicyAnswer("local", " 44.", 0.0)), List.of(600, 20)),
        new AnsweredSample(words, 512, 0, List.of(new PolicyAnswer("full", " a", 1.0)), List.of(-1))));
    // bins of 256 tokens: 10 and 20 in the first, 300 in the second, 600 in the third; cwe has no distances
    assertThat(table).contains("0-255").contains("256-511").contains("512-767").doesNotContain("768").doesNotContain("cwe");
    assertThat(table).containsPattern("\\| niah_multiquery \\| full +\\| +50\\.0 \\(2\\) \\| +100\\.0 \\(1\\) \\| +100\\.0 \\(1\\) \\|");
    assertThat(table).containsPattern("\\| niah_multiquery \\| local +\\| +50\\.0 \\(2\\) \\| +100\\.0 \\(1\\) \\| +0\\.0 \\(1\\) \\|");
    assertThat(RulerReport.distanceTable(List.of(new AnsweredSample(words, 64, 0, List.of(new PolicyAnswer("full", " a", 1.0)), List.of(-1))))).isEmpty();
  }
}
