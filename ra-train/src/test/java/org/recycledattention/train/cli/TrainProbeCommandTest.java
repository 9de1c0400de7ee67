package org.recycledattention.train.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.cli.Main;
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
    Result help = Cli.run("train-probe", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out().replaceAll("\\s+", " ")).contains("(default: " + ProbeTrainer.DEFAULT_TASK_IDS + ")");
  }
}
