package org.recycledattention.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.cli.Cli.Result;
import org.recycledattention.engine.model.LanguageModel;
import org.recycledattention.engine.tensor.GgmlType;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.train.ProbeExporter;
import org.recycledattention.train.ProbeGeometry;
import org.recycledattention.train.ProbeVocabulary;
import org.recycledattention.train.ProbeWeights;

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
   * A model with the probe's tokenizer and random weights (written as GGUF by the project's exporter):
   * it retrieves nothing, but every command runs on it as on a trained one.
   */
  private Path probe() {
    ProbeGeometry g = new ProbeGeometry(2, 64, 4, 2, 16, 96, 2048, 10000f, 1e-5f);
    ProbeVocabulary vocabulary = ProbeVocabulary.build();
    Random random = new Random(5);
    Map<String, ProbeWeights.Tensor> tensors = new LinkedHashMap<>();
    tensors.put("token_embd.weight", randomTensor(random, vocabulary.size(), g.dim()));
    for (int l = 0; l < g.layers(); l++) {
      String b = "blk." + l + ".";
      tensors.put(b + "attn_norm.weight", randomTensor(random, 1, g.dim()));
      tensors.put(b + "attn_q.weight", randomTensor(random, g.heads() * g.headDim(), g.dim()));
      tensors.put(b + "attn_k.weight", randomTensor(random, g.kvHeads() * g.headDim(), g.dim()));
      tensors.put(b + "attn_v.weight", randomTensor(random, g.kvHeads() * g.headDim(), g.dim()));
      tensors.put(b + "attn_output.weight", randomTensor(random, g.dim(), g.heads() * g.headDim()));
      tensors.put(b + "ffn_norm.weight", randomTensor(random, 1, g.dim()));
      tensors.put(b + "ffn_gate.weight", randomTensor(random, g.ffn(), g.dim()));
      tensors.put(b + "ffn_up.weight", randomTensor(random, g.ffn(), g.dim()));
      tensors.put(b + "ffn_down.weight", randomTensor(random, g.dim(), g.ffn()));
    }
    tensors.put("output_norm.weight", randomTensor(random, 1, g.dim()));
    Path file = tmp.resolve("probe.gguf");
    ProbeExporter.write(new ProbeWeights(g, vocabulary, tensors), file, GgmlType.F32);
    return file;
  }

  private static ProbeWeights.Tensor randomTensor(Random random, int rows, int cols) {
    float[] data = new float[rows * cols];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) (random.nextGaussian() * 0.1);
    }
    return new ProbeWeights.Tensor(rows, cols, data);
  }

  @Test
  void theBuiltInDemoRunsOnTheShippedProbe() throws Exception {
    assertThat(DemoCommand.class.getResource(DemoCommand.PROBE_RESOURCE)).as("the probe model shipped in ra-train").isNotNull();
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
        "--policies", "full,recycled", "--budget", "300", "--json", "--out", out.toString());
    assertSuccess(r);
    JsonNode cells = json(r.out()).get("cells");
    assertThat(field(cells, "policy")).containsExactly("full", "recycled");
    // a budget above the length: recycled attends everything, so it answers exactly as full does
    assertThat(cells.get(1).get("accuracy").asDouble()).isEqualTo(cells.get(0).get("accuracy").asDouble());
    assertThat(cells.get(1).get("budget").asInt()).isEqualTo(300);
    assertThat(out.resolve("ruler.json")).isRegularFile();
    assertThat(out.resolve("ruler.md")).isRegularFile();
    assertThat(out.resolve("ruler.png")).isRegularFile();
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

  @Test
  void fidelityOverTaskStreamsPoolsTheSamples() throws Exception {
    Path model = probe();
    Result wide = Cli.run("eval", "fidelity", "--model", model.toString(), "--task", "niah_single", "--length", "200", "--samples", "2",
        "--policies", "full,local,recycled", "--budget", "400", "--json");
    assertSuccess(wide);
    JsonNode rows = json(wide.out());
    assertThat(field(rows, "policy")).containsExactly("full", "local", "recycled");
    for (JsonNode row : rows) {
      // a budget above the streams: every policy is full attention
      assertThat(row.get("agreement").asDouble()).as(row.toString()).isEqualTo(1.0);
      assertThat(row.get("mean_kl").asDouble()).as(row.toString()).isCloseTo(0.0, within(1e-9));
    }
    // two streams of about 200 + answer tokens, a quarter of each as the prompt
    assertThat(rows.get(0).get("steps").asLong()).isBetween(280L, 340L);
    Result tight = Cli.run("eval", "fidelity", "--model", model.toString(), "--task", "niah_single", "--length", "200", "--samples", "2",
        "--policies", "local", "--budget", "16", "--json");
    assertSuccess(tight);
    assertThat(json(tight.out()).get(0).get("mean_kl").asDouble()).isGreaterThan(1e-6); // small: random weights attend almost uniformly
    Result orphan = Cli.run("eval", "fidelity", "--model", model.toString(), "--sample", "20", "--length", "200", "--budget", "16");
    assertThat(orphan.exitCode()).isEqualTo(2);
    assertThat(orphan.err()).contains("--task");
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
    assertThat(rows.get(0).get("mean_kl").asDouble()).isCloseTo(0.0, within(1e-9));
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

  /** A llama GGUF with a tokenizer that is not the probe's. */
  private Path probeWithOtherVocabulary() {
    Path file = tmp.resolve("other.gguf");
    assertSuccess(Cli.run("export-gguf", "--model", "synthetic:tiny", "--out", file.toString()));
    return file;
  }

  @Test
  void trainProbeTrainsWithRecycledAttentionContinuesAFileAndWritesItsCurves() throws Exception {
    Path first = tmp.resolve("first.gguf");
    Path png = tmp.resolve("curves.png");
    Result r = Cli.run("train-probe", "--out", first.toString(), "--steps", "4", "--batch", "2", "--min-length", "96", "--max-length", "256",
        "--geometry", "layers=1,dim=32,heads=2,kv-heads=1,head-dim=16,ffn=64", "--type", "f32", "--curves", png.toString(), "--checkpoint-every", "3");
    assertSuccess(r);
    assertThat(tmp.resolve("first.step-3.gguf")).isRegularFile();
    assertThat(Files.size(png)).isPositive();
    List<String> csv = Files.readAllLines(tmp.resolve("curves.csv"));
    assertThat(csv).hasSize(5);
    assertThat(csv.get(0)).startsWith("step,length,curriculum_length,curriculum_tasks,loss,");
    Path second = tmp.resolve("second.gguf");
    Result continued = Cli.run("train-probe", "--init", first.toString(), "--out", second.toString(), "--steps", "2", "--batch", "2",
        "--max-length", "256", "--train-policy", "recycled", "--budget", "16", "--set", "ra.policy.recycled.stride=3", "--type", "f32");
    assertSuccess(continued);
    try (LanguageModel lm = Models.load(second)) {
      assertThat(lm.config().layers()).as("the geometry comes from --init").isEqualTo(1);
      assertThat(lm.config().dim()).isEqualTo(32);
    }
  }

  @Test
  void trainProbeRefusesBadOptionsInOneLineBeforeTraining() {
    Path out = tmp.resolve("probe.gguf");
    Result unknownTask = Cli.run("train-probe", "--out", out.toString(), "--tasks", "niah_single,nope");
    assertThat(unknownTask.exitCode()).isEqualTo(2);
    assertThat(unknownTask.errLines()).hasSize(1);
    assertThat(unknownTask.err()).contains("'nope'", "niah_multikey");
    Result shortLength = Cli.run("train-probe", "--out", out.toString(), "--max-length", "100");
    assertThat(shortLength.exitCode()).isEqualTo(2);
    assertThat(shortLength.err()).contains("--max-length", "256");
    Result directory = Cli.run("train-probe", "--out", tmp.toString());
    assertThat(directory.exitCode()).isEqualTo(2);
    assertThat(directory.err()).contains("is a directory");
    assertThat(out).doesNotExist();
    Result h2o = Cli.run("train-probe", "--out", out.toString(), "--train-policy", "h2o");
    assertThat(h2o.exitCode()).isEqualTo(2);
    assertThat(h2o.errLines()).hasSize(1);
    assertThat(h2o.err()).contains("--train-policy", "h2o", "prefill chunks");
    Result unknownPolicy = Cli.run("train-probe", "--out", out.toString(), "--train-policy", "nope");
    assertThat(unknownPolicy.exitCode()).isEqualTo(2);
    assertThat(unknownPolicy.err()).contains("'nope'", "recycled");
    Result badKey = Cli.run("train-probe", "--out", out.toString(), "--train-policy", "recycled", "--set", "ra.policy.recycled.strid=5");
    assertThat(badKey.exitCode()).isEqualTo(2);
    assertThat(badKey.err()).contains("ra.policy.recycled.strid");
    Result geometry = Cli.run("train-probe", "--out", out.toString(), "--geometry", "layers=2,width=64");
    assertThat(geometry.exitCode()).isEqualTo(2);
    assertThat(geometry.err()).contains("--geometry", "width=64", "kv-heads");
    Result notAProbe = Cli.run("train-probe", "--out", out.toString(), "--init", probeWithOtherVocabulary().toString());
    assertThat(notAProbe.exitCode()).isNotZero();
    assertThat(notAProbe.errLines()).hasSize(1);
    assertThat(notAProbe.err()).contains("not a probe model");
    Result start = Cli.run("train-probe", "--out", out.toString(), "--tasks", "niah_single,niah_multikey", "--curriculum-start", "3:512");
    assertThat(start.exitCode()).isEqualTo(2);
    assertThat(start.err()).contains("--curriculum-start", "1..2");
    Result curves = Cli.run("train-probe", "--out", out.toString(), "--curves", tmp.resolve("curves.txt").toString());
    assertThat(curves.exitCode()).isEqualTo(2);
    assertThat(curves.err()).contains("--curves", ".png");
    assertThat(out).doesNotExist();
    Result help = Cli.run("train-probe", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out().replaceAll("\\s+", " ")).contains("(default: " + org.recycledattention.train.ProbeTrainer.DEFAULT_TASK_IDS + ")");
  }
}
