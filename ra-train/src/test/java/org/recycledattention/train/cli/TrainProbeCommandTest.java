package org.recycledattention.train.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.cli.Main;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.train.ProbeGeometry;
import org.recycledattention.train.ProbeReader;
import org.recycledattention.train.ProbeTrainer;

/** {@code ra train-probe} as a user runs it: ra-train adds the command to ra's command line. */
class TrainProbeCommandTest {
  @TempDir
  Path tmp;

  /** What one in-process run of {@code ra} printed and returned. */
  record Result(int exitCode, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  static final class Cli {
    static Result run(String... args) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int code = Main.execute(args, new PrintWriter(out), new PrintWriter(err), Map.of());
      return new Result(code, out.toString(), err.toString());
    }
  }

  @Test
  void isListedByRaHelp() {
    Result help = Cli.run("--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("train-probe");
  }

  /** A llama GGUF with a tokenizer that is not the probe's. */
  private Path probeWithOtherVocabulary() {
    Path file = tmp.resolve("other.gguf");
    assertThat(Cli.run("export-gguf", "--model", "synthetic:tiny", "--out", file.toString()).exitCode()).isZero();
    return file;
  }

  @Test
  void trainProbeTrainsWithRecycledAttentionContinuesAFileAndWritesItsCurves() throws Exception {
    Path first = tmp.resolve("first.gguf");
    Path png = tmp.resolve("curves.png");
    Result r = Cli.run("train-probe", "--out", first.toString(), "--steps", "4", "--batch", "2", "--min-length", "96",
        "--max-length", "256", "--geometry", "layers=1,dim=32,heads=2,kv-heads=1,head-dim=16,ffn=64", "--type", "f32",
        "--curves", png.toString(), "--checkpoint-every", "3", "--filler-numbers", "--tasks", "niah_single,niah_multikey", "--keys-start", "2");
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(tmp.resolve("first.step-3.gguf")).isRegularFile();
    // stderr is no terminal here: a plain progress line, with the distractor curriculum's keys
    assertThat(r.err()).contains("step 4 of 4: loss", "curriculum 1 tasks with up to 2 keys up to 96 tokens");
    assertThat(Files.size(png)).isPositive();
    List<String> csv = Files.readAllLines(tmp.resolve("curves.csv"));
    assertThat(csv).hasSize(5);
    assertThat(csv.get(0)).startsWith("step,length,curriculum_length,curriculum_tasks,loss,");
    assertThat(csv.get(0).split(",")[9]).isEqualTo("curriculum_keys");
    assertThat(csv.get(4).split(",")[9]).as("--keys-start: two keys until the curriculum advances").isEqualTo("2");
    Path second = tmp.resolve("second.gguf");
    Result continued = Cli.run("train-probe", "--init", first.toString(), "--out", second.toString(), "--steps", "2",
        "--batch", "2", "--max-length", "256", "--train-policy", "recycled", "--budget", "16",
        "--set", "ra.policy.recycled.stride=3", "--type", "f32", "--tasks", "induction,recall");
    assertThat(continued.exitCode()).as(continued.err()).isZero();
    try (LanguageModel lm = Models.load(second)) {
      assertThat(lm.config().layers()).as("the geometry comes from --init").isEqualTo(1);
      assertThat(lm.config().dim()).isEqualTo(32);
      assertThat(lm.config().ropeTheta()).isEqualTo(ProbeGeometry.DEFAULT.ropeTheta());
    }
    // continued with a larger RoPE base: the written model runs with it, in the engine as in training
    Path extended = tmp.resolve("extended.gguf");
    Result rope = Cli.run("train-probe", "--init", second.toString(), "--out", extended.toString(), "--steps", "1",
        "--batch", "2", "--max-length", "256", "--type", "f32", "--tasks", "niah_single", "--rope-theta", "500000");
    assertThat(rope.exitCode()).as(rope.err()).isZero();
    try (LanguageModel lm = Models.load(extended)) {
      assertThat(lm.config().ropeTheta()).isEqualTo(500000f);
    }
    assertThat(ProbeReader.read(extended).geometry().ropeTheta()).isEqualTo(500000f);
  }

  @Test
  void trainProbeRefusesBadOptionsInOneLineBeforeTraining() {
    Path out = tmp.resolve("probe.gguf");
    assertOneLineUsageError(out, List.of("--tasks", "niah_single,nope"), "'nope'", "niah_multikey");
    Result shortLength = Cli.run("train-probe", "--out", out.toString(), "--max-length", "100");
    assertThat(shortLength.exitCode()).isEqualTo(2);
    assertThat(shortLength.err()).contains("--max-length", "256");
    Result directory = Cli.run("train-probe", "--out", tmp.toString());
    assertThat(directory.exitCode()).isEqualTo(2);
    assertThat(directory.err()).contains("is a directory");
    assertThat(out).doesNotExist();
    assertOneLineUsageError(out, List.of("--train-policy", "h2o"), "--train-policy", "h2o", "prefill chunks");
    Result unknownPolicy = Cli.run("train-probe", "--out", out.toString(), "--train-policy", "nope");
    assertThat(unknownPolicy.exitCode()).isEqualTo(2);
    assertThat(unknownPolicy.err()).contains("'nope'", "recycled");
    Result badKey = Cli.run("train-probe", "--out", out.toString(), "--train-policy", "recycled",
        "--set", "ra.policy.recycled.strid=5");
    assertThat(badKey.exitCode()).isEqualTo(2);
    assertThat(badKey.err()).contains("ra.policy.recycled.strid");
    Result geometry = Cli.run("train-probe", "--out", out.toString(), "--geometry", "layers=2,width=64");
    assertThat(geometry.exitCode()).isEqualTo(2);
    assertThat(geometry.err()).contains("--geometry", "width=64", "kv-heads");
    Result notAProbe = Cli.run("train-probe", "--out", out.toString(), "--init", probeWithOtherVocabulary().toString());
    assertThat(notAProbe.exitCode()).isNotZero();
    assertThat(notAProbe.errLines()).hasSize(1);
    assertThat(notAProbe.err()).contains("not a probe model");
    Result start = Cli.run("train-probe", "--out", out.toString(), "--tasks", "niah_single,niah_multikey",
        "--curriculum-start", "3:512");
    assertThat(start.exitCode()).isEqualTo(2);
    assertThat(start.err()).contains("--curriculum-start", "1..2");
    assertOneLineUsageError(out, List.of("--tasks", "niah_multikey", "--keys-start", "5"), "--keys-start", "1..4");
    assertOneLineUsageError(out, List.of("--competence", "1.5"), "--competence", "above 0 and at most 1");
    assertOneLineUsageError(out, List.of("--competence", "0"), "--competence", "above 0 and at most 1");
    assertOneLineUsageError(out, List.of("--keyed-values", "1.5"), "--keyed-values", "between 0 and 1");
    assertOneLineUsageError(out, List.of("--adjacent-keys", "2"), "--adjacent-keys", "between 0 and 1");
    assertOneLineUsageError(out, List.of("--colon-keys", "-1"), "--colon-keys", "between 0 and 1");
    assertOneLineUsageError(out, List.of("--adjacent-keys", "0.7", "--colon-keys", "0.4"), "--adjacent-keys 0.7", "--colon-keys 0.4", "at most 1");
    assertOneLineUsageError(out, List.of("--rope-theta", "0.5"), "--rope-theta", "'0.5'", "above 1");
    Result curves = Cli.run("train-probe", "--out", out.toString(), "--curves", tmp.resolve("curves.txt").toString());
    assertThat(curves.exitCode()).isEqualTo(2);
    assertThat(curves.err()).contains("--curves", ".png");
    assertThat(out).doesNotExist();
    Result help = Cli.run("train-probe", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out().replaceAll("\\s+", " ")).contains("(default: " + ProbeTrainer.DEFAULT_TASK_IDS + ")");
  }

  /** {@code ra train-probe --out OUT ARGS} fails with exit 2 and one line on stderr that contains {@code expected}. */
  private static void assertOneLineUsageError(Path out, List<String> args, String... expected) {
    List<String> command = new ArrayList<>(List.of("train-probe", "--out", out.toString()));
    command.addAll(args);
    Result r = Cli.run(command.toArray(String[]::new));
    assertThat(r.exitCode()).as("exit code of %s", command).isEqualTo(2);
    assertThat(r.errLines()).as("stderr of %s", command).hasSize(1);
    assertThat(r.err()).contains(expected);
  }
}
