package org.recycledattention.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.cli.Cli.Result;
import org.recycledattention.cli.testplugins.GpuTestBackend;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * One composition path: {@code --policy}/{@code --backend} work wherever they are offered and are refused
 * where a command takes lists instead; {@code --policies}/{@code --backends} are checked exactly like the
 * single selection, before any model is loaded.
 */
class SelectionFlagsTest {
  private static final String[] BENCH = {"bench", "--model", "synthetic:tiny", "--contexts", "64", "--decode-tokens", "2", "--rounds", "1",
      "--budget", "16"};

  @TempDir
  Path tmp;

  private static String[] with(String[] base, String... more) {
    String[] out = new String[base.length + more.length];
    System.arraycopy(base, 0, out, 0, base.length);
    System.arraycopy(more, 0, out, base.length, more.length);
    return out;
  }

  private static void assertOneLineUsageError(Result r, String... expected) {
    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
    assertThat(r.errLines()).as("stderr").hasSize(1);
    assertThat(r.err()).contains(expected);
  }

  @Test
  void singleSelectionFlagsAreNotOfferedWhereACommandTakesLists() {
    // these once ran full and recycled, cpu, and full and local without a word
    assertOneLineUsageError(Cli.run(with(BENCH, "--policy", "h2o")), "Unknown option", "'--policy'");
    assertOneLineUsageError(Cli.run(with(BENCH, "--backend", "onnx")), "Unknown option", "'--backend'");
    assertOneLineUsageError(Cli.run("eval", "fidelity", "--model", "synthetic:tiny", "--sample", "8", "--policy", "h2o", "--policies", "full,local"),
        "Unknown option", "'--policy'");
    assertOneLineUsageError(Cli.run("eval", "ruler", "--model", "synthetic:tiny", "--policy", "h2o"), "Unknown option", "'--policy'");
    assertOneLineUsageError(Cli.run("demo", "--policy", "h2o"), "Unknown option", "'--policy'");
  }

  @Test
  void listsAreCheckedLikeTheSingleSelection() throws Exception {
    String unknownPolicy = "unknown attention policy 'nope'; available: full, h2o, local, recycled, snapkv (plugins load from --plugin-path)";
    assertOneLineUsageError(Cli.run("config", "--policy", "nope"), unknownPolicy);
    assertOneLineUsageError(Cli.run(with(BENCH, "--policies", "full,nope")), unknownPolicy);
    assertOneLineUsageError(Cli.run("eval", "fidelity", "--model", "synthetic:tiny", "--sample", "8", "--policies", "full,nope"), unknownPolicy);
    assertOneLineUsageError(Cli.run("eval", "ruler", "--model", "synthetic:tiny", "--policies", "nope"), unknownPolicy);

    assertOneLineUsageError(Cli.run("config", "--backend", "nope"), "unknown KV-cache backend 'nope'; available: ");
    assertOneLineUsageError(Cli.run(with(BENCH, "--backends", "cpu,nope")), "unknown KV-cache backend 'nope'; available: ");
    assertOneLineUsageError(Cli.run("eval", "fidelity", "--model", "synthetic:tiny", "--sample", "8", "--backend", "nope"),
        "unknown KV-cache backend 'nope'; available: ");

    Path plugins = tmp.resolve("plugins");
    Cli.pluginJar(plugins, "gpu.jar", List.of(), List.of(GpuTestBackend.class.getName()));
    String unavailable = "KV-cache backend 'gpu-test' is not available: no CUDA device; choose another with --backend";
    assertOneLineUsageError(Cli.run("config", "--plugin-path", plugins.toString(), "--backend", "gpu-test"), unavailable);
    assertOneLineUsageError(Cli.run("eval", "ruler", "--model", "synthetic:tiny", "--plugin-path", plugins.toString(), "--backend", "gpu-test"),
        unavailable);
    assertOneLineUsageError(Cli.run(with(BENCH, "--plugin-path", plugins.toString(), "--backends", "cpu,gpu-test")),
        "KV-cache backend 'gpu-test' is not available: no CUDA device; choose another with --backends");
  }

  @Test
  void theBackendFlagSelectsTheBackendOfEval() {
    Result r = Cli.run(Map.of("RA_BACKEND", "nope"), "eval", "fidelity", "--model", "synthetic:tiny", "--sample", "8", "--policies", "full",
        "--backend", "cpu", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
  }

  @Test
  void everyCommandSummaryIsACompleteSentence() {
    assertCompleteSummaries(Main.commandLine(Map.of()));
  }

  private static void assertCompleteSummaries(CommandLine cmd) {
    CommandSpec spec = cmd.getCommandSpec();
    String[] description = spec.usageMessage().description();
    assertThat(description).as("description of '%s'", spec.qualifiedName()).isNotEmpty();
    assertThat(description[0].strip()).as("the summary of '%s' (what 'ra --help' lists)", spec.qualifiedName()).endsWith(".");
    cmd.getSubcommands().values().stream().distinct().forEach(SelectionFlagsTest::assertCompleteSummaries);
  }
}
