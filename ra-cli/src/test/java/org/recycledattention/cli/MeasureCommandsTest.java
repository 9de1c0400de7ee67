package org.recycledattention.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.cli.Cli.Result;
import org.recycledattention.cli.eval.DemoCommand;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.eval.synthetic.SyntheticModels;
import org.recycledattention.eval.synthetic.SyntheticSpec;
import org.recycledattention.model.format.gguf.GgufFile;
import org.recycledattention.model.format.gguf.GgufTensorInfo;
import org.recycledattention.model.format.gguf.writer.GgufModelWriter;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.model.tokenizer.Tokenizer;
import org.recycledattention.probe.ShippedProbe;

/** {@code ra demo}, {@code ra eval ruler}, {@code ra eval fidelity}, {@code ra bench} and {@code ra export-gguf}, end to end in-process. */
class MeasureCommandsTest {
  private static final Path STORIES = Path.of(System.getProperty("ra.fixtures", "../shared/fixtures"), "stories260K", "stories260K-f32.gguf");

  @TempDir
  Path tmp;

  private static JsonNode json(String text) throws Exception {
    return new ObjectMapper().readTree(text);
  }

  private static List<String> field(JsonNode list, String name) {
    List<String> out = new ArrayList<>();
    list.forEach(n -> out.add(n.get(name).asText()));
    return out;
  }

  private static void assertSuccess(Result r) {
    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isZero();
  }

  /**
   * A model with the shipped probe's tokenizer and random weights (written as GGUF by the project's writer):
   * it retrieves nothing, but every command runs on it as on a trained one.
   */
  private Path probe() {
    Path shipped = tmp.resolve("shipped-probe.gguf");
    assertThat(ShippedProbe.copyTo(shipped)).isTrue();
    Path file = tmp.resolve("probe.gguf");
    try (LanguageModel probe = Models.load(shipped)) {
      Tokenizer tokenizer = probe.tokenizer().orElseThrow();
      SyntheticSpec spec = SyntheticSpec.parse("synthetic:layers=2,dim=64,heads=4,kv-heads=2,head-dim=16,ffn=96,vocab=" + tokenizer.vocabSize()
          + ",context=2048,dtype=f32,seed=1");
      try (LlamaModel random = SyntheticModels.build(spec)) {
        GgufModelWriter.write(file, random.config(), random.weights(), tokenizer, GgmlType.F32);
      }
    }
    return file;
  }

  @Test
  void theBuiltInDemoRunsOnTheShippedProbe() throws Exception {
    assertThat(ShippedProbe.class.getResource(ShippedProbe.RESOURCE)).as("the probe model shipped in ra-probe").isNotNull();
    Path out = tmp.resolve("demo-out");
    Result r = Cli.run("demo", "--samples", "1", "--out", out.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    String md = Files.readString(out.resolve("demo.md"));
    assertThat(md).contains("Command: `./ra demo`", "retrieval probe");
    JsonNode cells = json(Files.readString(out.resolve("demo.json"))).get("cells");
    assertThat(cells).hasSize(DemoCommand.TASKS.size() * DemoCommand.LENGTHS.size() * DemoCommand.POLICIES.size());
    // the shipped probe was trained on niah_single: full attention finds the needle at the demo's shortest length
    assertThat(cells.get(0).get("task").asText()).isEqualTo("niah_single");
    assertThat(cells.get(0).get("policy").asText()).isEqualTo("full");
    assertThat(cells.get(0).get("accuracy").asDouble()).isEqualTo(100.0);
  }

  @Test
  void demoRunsEveryPolicyOnBothTasksAndLengthsAndWritesItsReports() throws Exception {
    Path out = tmp.resolve("demo-out");
    Result r = Cli.run("demo", "--model", probe().toString(), "--samples", "1", "--out", out.toString());
    assertSuccess(r);
    assertThat(r.out()).contains("recycled", "local", "h2o", "snapkv", "full", "mean accuracy");
    JsonNode report = json(Files.readString(out.resolve("demo.json")));
    JsonNode cells = report.get("cells");
    assertThat(cells).hasSize(DemoCommand.TASKS.size() * DemoCommand.LENGTHS.size() * DemoCommand.POLICIES.size());
    assertThat(field(cells, "policy")).containsAll(DemoCommand.POLICIES);
    for (JsonNode c : cells) {
      assertThat(c.get("budget").asInt()).isEqualTo(c.get("policy").asText().equals("full") ? 0 : DemoCommand.BUDGET);
      assertThat(c.get("decode_tokens_per_second").asDouble()).isPositive();
      assertThat(c.get("accuracy").asDouble()).isBetween(0.0, 100.0);
    }
    assertThat(report.get("summary")).hasSize(DemoCommand.POLICIES.size());
    assertThat(Files.readString(out.resolve("demo.md"))).contains("./ra demo", "stride=" + DemoCommand.SETTINGS.get("ra.policy.recycled.stride"));
    assertThat(r.out()).contains("full steps");
    assertThat(Files.size(out.resolve("demo.png"))).isPositive();
  }

  @Test
  void theDemosSettingsGiveWayToTheUsers() throws Exception {
    Path out = tmp.resolve("demo-out");
    Result r = Cli.run(Map.of("RA_POLICY_RECYCLED_POOL_KERNEL", "3"), "demo", "--model", probe().toString(), "--samples", "1", "--out", out.toString(),
        "--set", "ra.policy.recycled.stride=7", "--set", "ra.budget=40");
    assertSuccess(r);
    assertThat(Files.readString(out.resolve("demo.md"))).contains("stride=7", "pool-kernel=3", "budget K = 40");
    for (JsonNode c : json(Files.readString(out.resolve("demo.json"))).get("cells")) {
      assertThat(c.get("budget").asInt()).isEqualTo(c.get("policy").asText().equals("full") ? 0 : 40);
    }
  }

  @Test
  void rulerOnTheProbeModelGivesJsonAndReports() throws Exception {
    Path out = tmp.resolve("ruler-out");
    Result r = Cli.run("eval", "ruler", "--model", probe().toString(), "--tasks", "niah_single", "--lengths", "256", "--samples", "2",
        "--policies", "full,recycled", "--budget", "300", "--json", "--out", out.toString(), "--filler-numbers");
    assertSuccess(r);
    JsonNode cells = json(r.out()).get("cells");
    assertThat(field(cells, "policy")).containsExactly("full", "recycled");
    assertThat(Files.readString(out.resolve("ruler.md"))).contains("--filler-numbers");
    // a budget above the length: recycled attends everything, so it answers exactly as full does
    assertThat(cells.get(1).get("accuracy").asDouble()).isEqualTo(cells.get(0).get("accuracy").asDouble());
    assertThat(cells.get(1).get("budget").asInt()).isEqualTo(300);
    assertThat(out.resolve("ruler.json")).isRegularFile();
    assertThat(out.resolve("ruler.md")).isRegularFile();
    assertThat(out.resolve("ruler.png")).isRegularFile();
    // every sample, with what each policy wrote for it and its score: the accuracies are their means
    List<String> lines = Files.readAllLines(out.resolve("ruler-answers.jsonl"));
    assertThat(lines).hasSize(2);
    double[] sums = new double[2];
    int[] distances = new int[2];
    for (int i = 0; i < lines.size(); i++) {
      JsonNode a = json(lines.get(i));
      distances[i] = a.get("distances").get(0).asInt();
      assertThat(distances[i]).isBetween(1, a.get("prompt_tokens").asInt());
      assertThat(a.get("task").asText()).isEqualTo("niah_single");
      assertThat(a.get("length").asInt()).isEqualTo(256);
      assertThat(a.get("sample").asInt()).isEqualTo(i);
      String value = a.get("expected").get(0).asText();
      assertThat(value).matches("\\d+");
      assertThat(a.get("prompt").asText()).contains(value).contains("The grass is green");
      assertThat(field(a.get("answers"), "policy")).containsExactly("full", "recycled");
      for (int p = 0; p < 2; p++) {
        JsonNode answer = a.get("answers").get(p);
        assertThat(answer.get("score").asDouble()).isEqualTo(answer.get("text").asText().contains(value) ? 1.0 : 0.0);
        sums[p] += answer.get("score").asDouble();
      }
    }
    assertThat(100 * sums[0] / 2).isEqualTo(cells.get(0).get("accuracy").asDouble());
    assertThat(100 * sums[1] / 2).isEqualTo(cells.get(1).get("accuracy").asDouble());
    // sample 0's needle sits at depth 0.25, sample 1's at 0.75: the first is further from the question
    assertThat(distances[0]).isGreaterThan(distances[1] + 64);
    assertThat(Files.readString(out.resolve("ruler.md"))).contains("## By distance from the prompt's end").containsPattern("\\| niah_single \\| full +\\|");
    assertThat(r.err()).contains("ruler-answers.jsonl");
  }

  @Test
  void rulerReportsTheShareOfStepsThatAttendedTheWholeContext() throws Exception {
    Result r = Cli.run("eval", "ruler", "--model", probe().toString(), "--tasks", "niah_single", "--lengths", "256", "--samples", "1",
        "--policies", "full,local,recycled", "--budget", "32", "--set", "ra.policy.recycled.stride=2", "--json");
    assertSuccess(r);
    JsonNode cells = json(r.out()).get("cells");
    assertThat(field(cells, "policy")).containsExactly("full", "local", "recycled");
    assertThat(cells.get(0).get("full_steps").asDouble()).isEqualTo(100.0);
    assertThat(cells.get(1).get("full_steps").asDouble()).as("local keeps 32 of 256 tokens").isEqualTo(0.0);
    // stride 2: decode steps 1, 3, 5, ... are full steps, the others read the partial cache
    assertThat(cells.get(2).get("full_steps").asDouble()).isBetween(40.0, 50.0);
    assertThat(Cli.run("eval", "ruler", "--model", probe().toString(), "--tasks", "niah_single", "--lengths", "256", "--samples", "1",
        "--policies", "full,recycled", "--budget", "32").out()).contains("full steps");
  }

  @Test
  void rulerComparesVariantsOfOnePolicyWithTheirOwnKeys() throws Exception {
    Result r = Cli.run("eval", "ruler", "--model", probe().toString(), "--tasks", "niah_single", "--lengths", "256", "--samples", "1",
        "--policies", "full,recycled:stride=1,recycled:stride=4:local-tokens=8", "--budget", "32", "--json");
    assertSuccess(r);
    JsonNode cells = json(r.out()).get("cells");
    assertThat(field(cells, "policy")).containsExactly("full", "recycled:stride=1", "recycled:stride=4:local-tokens=8");
    assertThat(cells.get(1).get("full_steps").asDouble()).as("stride 1: every step is a full step").isEqualTo(100.0);
    assertThat(cells.get(2).get("full_steps").asDouble()).isLessThan(50.0);
    Result unknownKey = Cli.run("eval", "ruler", "--model", probe().toString(), "--tasks", "niah_single", "--lengths", "256",
        "--policies", "recycled:strid=4", "--budget", "32");
    assertThat(unknownKey.exitCode()).isEqualTo(2);
    assertThat(unknownKey.errLines()).hasSize(1);
    assertThat(unknownKey.err()).contains("ra.policy.recycled.strid", "ra.policy.recycled.stride");
    Result malformed = Cli.run("eval", "ruler", "--model", probe().toString(), "--tasks", "niah_single", "--lengths", "256",
        "--policies", "recycled:stride", "--budget", "32");
    assertThat(malformed.exitCode()).isEqualTo(2);
    assertThat(malformed.err()).contains("recycled:stride", "key=value");
  }

  @Test
  void rulerRefusesBadTasksAndLengthsAndShowsNoSpeedupWithoutFullAttention() throws Exception {
    Result tooShort = Cli.run("eval", "ruler", "--model", probe().toString(), "--tasks", "niah_single", "--lengths", "16", "--samples", "1",
        "--policies", "full", "--budget", "64");
    assertThat(tooShort.exitCode()).isEqualTo(2);
    assertThat(tooShort.errLines()).hasSize(1);
    assertThat(tooShort.err()).contains("niah_single", "--lengths");
    Result noReference = Cli.run("eval", "ruler", "--model", probe().toString(), "--tasks", "niah_single", "--lengths", "256", "--samples", "1",
        "--policies", "local", "--budget", "64");
    assertSuccess(noReference);
    assertThat(noReference.out()).as("no full attention in the run: no speedup to show").contains(" n/a |").doesNotContain("n/ax");
    Result unknownTask = Cli.run("eval", "ruler", "--model", probe().toString(), "--tasks", "niah", "--lengths", "256", "--budget", "64");
    assertThat(unknownTask.exitCode()).isEqualTo(2);
    assertThat(unknownTask.err()).contains("niah_single");
  }

  /**
   * The largest mean KL between two sessions of the same policy. Not 0: the reference and the compared
   * session step in turn, and when the JIT compiles a Vector API loop between their steps, its lane
   * reductions (unspecified order) round differently (a run measured 1.3e-9 for full against full).
   */
  private static final double SAME_LOGITS_KL = 1e-6;

  /** {@code ra eval fidelity --json} over {@code samples} {@code niah_single} streams of 200 tokens. */
  private static Result taskFidelity(Path model, int samples, String policies, int budget) {
    return Cli.run("eval", "fidelity", "--model", model.toString(), "--task", "niah_single", "--length", "200", "--samples", String.valueOf(samples),
        "--policies", policies, "--budget", String.valueOf(budget), "--json");
  }

  @Test
  void fidelityOverTaskStreamsPoolsTheSamples() throws Exception {
    Path model = probe();
    Result wide = taskFidelity(model, 2, "full,local,recycled", 400);
    assertSuccess(wide);
    JsonNode rows = json(wide.out());
    assertThat(field(rows, "policy")).containsExactly("full", "local", "recycled");
    for (JsonNode row : rows) {
      // a budget above the streams: every policy is full attention
      assertThat(row.get("agreement").asDouble()).as(row.toString()).isEqualTo(1.0);
      assertThat(row.get("mean_kl").asDouble()).as(row.toString()).isCloseTo(0.0, within(SAME_LOGITS_KL));
    }
    // two streams of at most 200 tokens (whole haystack units of up to ~25 tokens) + answer, a quarter of each as the prompt
    assertThat(rows.get(0).get("steps").asLong()).isBetween(260L, 320L);
    Result tight = taskFidelity(model, 2, "local", 16);
    assertSuccess(tight);
    assertThat(json(tight.out()).get(0).get("mean_kl").asDouble()).isGreaterThan(1e-6); // small: random weights attend almost uniformly
    Result orphan = Cli.run("eval", "fidelity", "--model", model.toString(), "--sample", "20", "--length", "200", "--budget", "16");
    assertThat(orphan.exitCode()).isEqualTo(2);
    assertThat(orphan.err()).contains("--task");
  }

  @Test
  void fidelityComparesVariantsOfOnePolicyWithTheirOwnKeys() throws Exception {
    Path model = probe();
    Result r = taskFidelity(model, 1, "full,recycled:stride=1,recycled:stride=4:local-tokens=8", 32);
    assertSuccess(r);
    JsonNode rows = json(r.out());
    assertThat(field(rows, "policy")).containsExactly("full", "recycled:stride=1", "recycled:stride=4:local-tokens=8");
    // stride 1: a full step every step, so full attention's answers exactly
    assertThat(rows.get(1).get("full_step_share").asDouble()).isEqualTo(1.0);
    assertThat(rows.get(1).get("agreement").asDouble()).isEqualTo(1.0);
    assertThat(rows.get(2).get("full_step_share").asDouble()).isLessThan(0.5);
    Result unknownKey = Cli.run("eval", "fidelity", "--model", model.toString(), "--task", "niah_single", "--length", "200",
        "--policies", "recycled:strid=4", "--budget", "32");
    assertThat(unknownKey.exitCode()).isEqualTo(2);
    assertThat(unknownKey.errLines()).hasSize(1);
    assertThat(unknownKey.err()).contains("ra.policy.recycled.strid", "ra.policy.recycled.stride");
  }

  @Test
  void fidelityOnTheStoriesCheckpointReportsEveryPolicy() throws Exception {
    assumeTrue(Files.isRegularFile(STORIES), "fixture " + STORIES + " is absent; see ../shared/fixtures/README.md");
    Path out = tmp.resolve("fidelity-out");
    Result r = Cli.run("eval", "fidelity", "--model", STORIES.toString(), "--sample", "96", "--seed", "1", "--policies", "full,local,recycled",
        "--budget", "32", "--json", "--out", out.toString());
    assertSuccess(r);
    JsonNode rows = json(r.out());
    assertThat(field(rows, "policy")).containsExactly("full", "local", "recycled");
    assertThat(rows.get(0).get("agreement").asDouble()).isEqualTo(1.0);
    assertThat(rows.get(0).get("mean_kl").asDouble()).isCloseTo(0.0, within(SAME_LOGITS_KL));
    assertThat(rows.get(1).get("mean_kl").asDouble()).isGreaterThan(1e-3);
    assertThat(out.resolve("fidelity.png")).isRegularFile();
  }

  @Test
  void benchMeasuresEveryCellWithItsBound() throws Exception {
    Result r = Cli.run("bench", "--model", "synthetic:tiny", "--contexts", "128", "--policies", "full,recycled", "--budget", "16",
        "--decode-tokens", "8", "--rounds", "1", "--json");
    assertSuccess(r);
    JsonNode cells = json(r.out());
    assertThat(field(cells, "policy")).containsExactly("full", "recycled");
    assertThat(cells.get(0).get("speedup_vs_full").asDouble()).isEqualTo(1.0);
    // recycled with the default stride 10 at K = 16 of n = 128 + the decoded tokens: 1 / (1/10 + 16/n)
    assertThat(cells.get(1).get("theoretical_speedup").asDouble()).isBetween(1 / (0.1 + 16 / 128.0), 1 / (0.1 + 16 / 136.0));
    assertThat(cells.get(1).get("tokens_per_second").asDouble()).isPositive();
    // where the time went, per kind of step
    for (JsonNode cell : cells) {
      int steps = 0;
      for (JsonNode kind : cell.get("step_times")) {
        steps += kind.get("steps").asInt();
        assertThat(kind.get("ms_median").asDouble()).isPositive();
      }
      assertThat(steps).isEqualTo(8);
      assertThat(cell.get("attention_ms_per_token").asDouble()).isPositive();
      assertThat(cell.has("read_bandwidth_gb_per_s")).isTrue();
    }
    assertThat(cells.get(0).get("step_times").get(0).get("kind").asText()).isEqualTo("full");
    Result table = Cli.run("bench", "--model", "synthetic:tiny", "--contexts", "128", "--policies", "full,recycled", "--budget", "16",
        "--decode-tokens", "8", "--rounds", "1", "--set", "ra.policy.recycled.stride=2");
    assertSuccess(table);
    assertThat(table.out()).contains("| steps ").containsPattern("\\| recycled +\\| +128 \\| partial +\\| +4 \\|")
        .containsPattern("\\| recycled +\\| +128 \\| full +\\| +4 \\|");
  }

  @Test
  void exportGgufWritesAModelThatLoadsAgain() throws Exception {
    Path file = tmp.resolve("tiny.gguf");
    assertSuccess(Cli.run("export-gguf", "--model", "synthetic:tiny", "--out", file.toString(), "--type", "q8_0"));
    Result r = Cli.run("bench", "--model", file.toString(), "--contexts", "64", "--policies", "full", "--budget", "16", "--decode-tokens", "4",
        "--rounds", "1", "--json");
    assertSuccess(r);
    assertThat(json(r.out())).hasSize(1);
  }

  @Test
  void exportGgufWritesKQuantsThatLoadAndRefusesUnknownTypesInOneLine() throws Exception {
    Path file = tmp.resolve("k.gguf");
    String model = "synthetic:layers=1,dim=256,heads=4,kv-heads=2,head-dim=64,ffn=256,vocab=300";
    for (String type : new String[] {"q4_k", "q5_k", "q6_k"}) {
      assertSuccess(Cli.run("export-gguf", "--model", model, "--out", file.toString(), "--type", type));
      try (GgufFile g = GgufFile.open(file)) {
        assertThat(g.tensor("blk.0.ffn_up.weight").orElseThrow().typeName()).isEqualTo(type.toUpperCase(Locale.ROOT));
        assertThat(g.tensor("blk.0.ffn_norm.weight").orElseThrow().typeName()).isEqualTo("F32");
      }
      assertSuccess(Cli.run("generate", "--model", file.toString(), "--prompt-ids", "1,280,281", "--max-tokens", "3", "--policy", "full"));
    }
    // a type this engine does not read (IQ2_XS, patched into the tensor directory) is one line naming it and what is read
    byte[] bytes = Files.readAllBytes(file);
    try (GgufFile g = GgufFile.open(file)) {
      GgufTensorInfo t = g.tensor("blk.0.ffn_up.weight").orElseThrow();
      int typeAt = (int) t.infoOffset() + 8 + t.name().length() + 4 + 8 * t.dims().length;
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(typeAt, GgmlType.IQ2_XS.id());
    }
    Path iq2 = tmp.resolve("iq2.gguf");
    Files.write(iq2, bytes);
    Result refused = Cli.run("generate", "--model", iq2.toString(), "--prompt-ids", "1", "--max-tokens", "1");
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.errLines()).hasSize(1);
    assertThat(refused.err()).contains("blk.0.ffn_up.weight", "IQ2_XS", "Q4_K", "IQ4_XS");
    Result bad = Cli.run("export-gguf", "--model", model, "--out", tmp.resolve("x.gguf").toString(), "--type", "q3_k");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.errLines()).hasSize(1);
    assertThat(bad.err()).contains("'q3_k'", "q4_k, q5_k or q6_k");
    assertThat(tmp.resolve("x.gguf")).doesNotExist();
  }
}
