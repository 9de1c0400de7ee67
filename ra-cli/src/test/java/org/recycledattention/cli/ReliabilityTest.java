package org.recycledattention.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.cli.Cli.Result;
import org.recycledattention.cli.testplugins.AlphaPolicy;
import org.recycledattention.cli.testplugins.EscapingPolicy;
import org.recycledattention.cli.testplugins.FailingAssertionPolicy;
import org.recycledattention.cli.testplugins.ThrowingConstructorPolicy;
import org.recycledattention.model.format.gguf.writer.GgufWriter;

/**
 * The defects of issue 17 that show at the command line, each through {@link Main}: output paths
 * that would destroy an input or a special file, errors that bypassed the one-line handler, plugin
 * jars that failed silently, file strings that reached the terminal raw, and arguments that were
 * checked only after the work.
 */
class ReliabilityTest {
  @TempDir
  Path tmp;

  /** A small GGUF written by the tool itself. */
  private Path model(String name) {
    Path p = tmp.resolve(name);
    Result r = Cli.run("export-gguf", "--model", "synthetic:tiny", "--out", p.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    return p;
  }

  private static void assertOneLine(Result r, int exitCode) {
    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(exitCode);
    assertThat(r.errLines()).as("stderr").hasSize(1);
    assertPrintable(r.err());
  }

  /** No control character but the line's end: nothing a terminal would act on. */
  private static void assertPrintable(String text) {
    String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      assertThat(Character.isISOControl(c) || c == '\u202e').as("control character U+%04X at %d in %s", (int) c, i, body.length() > 300
          ? body.substring(0, 300) : body).isFalse();
    }
  }

  private static void mkfifo(Path p) throws Exception {
    Process mk = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
    assumeTrue(mk.waitFor() == 0, "mkfifo is not available");
  }

  /** Runs {@code run} with System.err captured (where progress bars go): what the command printed there. */
  private static String console(Supplier<Result> run, Result[] result) {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      result[0] = run.get();
    } finally {
      System.setErr(saved);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------------- item 2: output paths

  @Test
  void exportNeverWritesOntoItsOwnInputWhateverThePathSpelling() throws Exception {
    Path m = model("m.gguf");
    byte[] before = Files.readAllBytes(m);
    Files.createDirectories(tmp.resolve("d"));
    Path link = tmp.resolve("hard-link.gguf");
    Files.createLink(link, m);
    for (String out : List.of(m.toString(), tmp.resolve("d/../d/./../m.gguf").toString(), link.toString())) {
      Result r = Cli.run("export-gguf", "--model", m.toString(), "--out", out, "--type", "q4_0");
      assertOneLine(r, 2);
      assertThat(r.err()).contains("--out").contains("input");
      assertThat(Files.readAllBytes(m)).as("the input after --out %s", out).isEqualTo(before);
    }
  }

  @Test
  void exportNeverReplacesAFifoOrADirectory() throws Exception {
    Path fifo = tmp.resolve("pipe.gguf");
    mkfifo(fifo);
    Result r = Cli.run("export-gguf", "--model", "synthetic:tiny", "--out", fifo.toString());
    assertOneLine(r, 2);
    assertThat(r.err()).contains(fifo.toString()).contains("not a regular file");
    assertThat(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(fifo, LinkOption.NOFOLLOW_LINKS)).as("still a FIFO").isTrue();
    Path dir = Files.createDirectories(tmp.resolve("a-directory.gguf"));
    assertOneLine(Cli.run("export-gguf", "--model", "synthetic:tiny", "--out", dir.toString()), 2);
    assertThat(Files.isDirectory(dir)).isTrue();
  }

  @Test
  void exportNeverFollowsASymlinkOutOfTheTargetDirectory() throws Exception {
    Path victim = Files.writeString(Files.createDirectories(tmp.resolve("elsewhere")).resolve("victim.txt"), "keep me");
    Path out = Files.createDirectories(tmp.resolve("out"));
    Path link = Files.createSymbolicLink(out.resolve("model.gguf"), victim);
    Result r = Cli.run("export-gguf", "--model", "synthetic:tiny", "--out", link.toString());
    assertOneLine(r, 2);
    assertThat(r.err()).contains("symbolic link");
    assertThat(Files.readString(victim)).isEqualTo("keep me");
    assertThat(Files.isSymbolicLink(link)).isTrue();

    // a link to a file in the same directory is written through, and stays a link
    Path real = Files.writeString(out.resolve("real.gguf"), "old");
    Path near = Files.createSymbolicLink(out.resolve("near.gguf"), real.getFileName());
    Result ok = Cli.run("export-gguf", "--model", "synthetic:tiny", "--out", near.toString());
    assertThat(ok.exitCode()).as(ok.err()).isZero();
    assertThat(Files.isSymbolicLink(near)).isTrue();
    assertThat(Files.size(real)).isGreaterThan(1000);
  }

  @Test
  void reportsNeverReplaceAFifoAndAreCheckedBeforeAnyWork() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("reports"));
    mkfifo(out.resolve("bench.json"));
    Result[] r = new Result[1];
    String console = console(() -> Cli.run("bench", "--model", "synthetic:tiny", "--contexts", "64", "--policies", "full", "--decode-tokens", "2",
        "--rounds", "1", "--out", out.toString()), r);
    assertOneLine(r[0], 2);
    assertThat(r[0].err()).contains("bench.json").contains("not a regular file");
    assertThat(console).as("no benchmark ran").doesNotContain("bench ");
  }

  // ------------------------------------------------------------------------- item 5: Errors

  @Test
  void anErrorThrownByAPluginIsOneLineWithoutTheTraceUnlessVerbose() throws Exception {
    Path plugins = tmp.resolve("plugins");
    Cli.pluginJar(plugins, "failing.jar", List.of(FailingAssertionPolicy.class.getName()), List.of());
    String m = model("m.gguf").toString();
    Result r = Cli.run("generate", "--model", m, "--prompt-ids", "1", "--max-tokens", "2", "--policy", "failing-assertion",
        "--plugin-path", plugins.toString());
    assertOneLine(r, 1);
    assertThat(r.err()).contains("AssertionError").contains("plugin invariant broken").contains("--verbose");

    Result verbose = Cli.run("generate", "--model", m, "--prompt-ids", "1", "--max-tokens", "2", "--policy", "failing-assertion",
        "--plugin-path", plugins.toString(), "--verbose");
    assertThat(verbose.exitCode()).isEqualTo(1);
    assertThat(verbose.err()).contains("at " + FailingAssertionPolicy.class.getName() + ".newPolicy");
  }

  // ------------------------------------------------------------------------- item 7: plugin jars

  @Test
  void aCorruptOrTruncatedPluginJarIsAOneLineErrorNamingIt() throws Exception {
    Path garbage = Files.createDirectories(tmp.resolve("garbage"));
    Files.write(garbage.resolve("broken.jar"), "this is not a zip file".getBytes(StandardCharsets.UTF_8));
    Result r = Cli.run("policies", "--plugin-path", garbage.toString());
    assertOneLine(r, 2);
    assertThat(r.err()).contains(garbage.resolve("broken.jar").toString());

    Path truncated = tmp.resolve("truncated");
    Path jar = Cli.pluginJar(truncated, "alpha.jar", List.of(AlphaPolicy.class.getName()), List.of());
    byte[] whole = Files.readAllBytes(jar);
    Files.write(jar, java.util.Arrays.copyOf(whole, whole.length / 2));
    Result t = Cli.run("policies", "--plugin-path", truncated.toString());
    assertOneLine(t, 2);
    assertThat(t.err()).contains(jar.toString());
  }

  // ------------------------------------------------------------------------- item 8: strings from files

  @Test
  void terminalEscapesAndHugeStringsFromAModelFileAreEscapedAndCut() throws Exception {
    String evil = "\u001b]0;owned\u0007\u001b[2J\u009b31m\u202eevil" + "x".repeat(100_000);
    Path p = tmp.resolve("evil.gguf");
    new GgufWriter().putString("general.architecture", evil).write(p);
    Result r = Cli.run("generate", "--model", p.toString(), "--prompt-ids", "1");
    assertOneLine(r, 2);
    assertThat(r.err()).contains("\\x1B]0;owned\\x07").contains("architecture").hasSizeLessThan(1_000);
  }

  @Test
  void aPluginsOwnTextIsEscapedAndCutInListingsAndErrors() throws Exception {
    Path plugins = tmp.resolve("plugins");
    Cli.pluginJar(plugins, "hostile.jar", List.of(EscapingPolicy.class.getName(), ThrowingConstructorPolicy.class.getName()), List.of());
    Result r = Cli.run("policies", "--plugin-path", plugins.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertPrintable(r.out().replace("\n", ""));
    assertThat(r.out()).contains("looks harmless\\x1B]0;owned\\x07").contains("cannot start \\x1B[2J").doesNotContain("!".repeat(1_000));
    Result unknown = Cli.run("generate", "--model", model("m.gguf").toString(), "--prompt-ids", "1", "--policy", "nope", "--plugin-path",
        plugins.toString());
    assertOneLine(unknown, 2);
    assertThat(unknown.err()).contains("ThrowingConstructorPolicy failed to load");
  }

  @Test
  void aSafetensorsHeaderThatIsNotJsonIsDescribedNotEchoed() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("hf"));
    Files.writeString(dir.resolve("config.json"), """
        {"architectures": ["LlamaForCausalLM"], "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1,
         "num_attention_heads": 2, "num_key_value_heads": 1, "vocab_size": 16, "max_position_embeddings": 32}
        """);
    byte[] file = new byte[8 + 16];
    file[0] = 16;
    for (int i = 8; i < file.length; i++) {
      file[i] = (byte) (0x80 + i * 7);
    }
    file[9] = 0x1b;
    Files.write(dir.resolve("model.safetensors"), file);
    Result r = Cli.run("generate", "--model", dir.toString(), "--prompt-ids", "1");
    assertOneLine(r, 2);
    assertThat(r.err()).contains("model.safetensors").contains("not JSON text").doesNotContain("\ufffd");
  }

  // ------------------------------------------------------------------------- item 10: the smaller ones

  @Test
  void benchChecksEveryContextAgainstTheModelBeforeAnyWork() {
    Result[] r = new Result[1];
    String console = console(() -> Cli.run("bench", "--model", "synthetic:tiny", "--contexts", "256,8192", "--policies", "full",
        "--decode-tokens", "4", "--rounds", "1"), r);
    assertOneLine(r[0], 2);
    assertThat(r[0].err()).contains("8192").contains("4096");
    assertThat(console).as("no benchmark ran").doesNotContain("bench ");
  }

  @Test
  void benchAndEvalCheckTheOutputDirectoryBeforeAnyWork() throws Exception {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    Result[] r = new Result[1];
    String console = console(() -> Cli.run("bench", "--model", "synthetic:tiny", "--contexts", "64", "--policies", "full", "--decode-tokens", "2",
        "--rounds", "1", "--out", file.resolve("sub").toString()), r);
    assertOneLine(r[0], 2);
    assertThat(r[0].err()).contains("--out");
    assertThat(console).as("no benchmark ran").doesNotContain("bench ");

    String ruler = console(() -> Cli.run("eval", "ruler", "--model", "synthetic:tiny", "--tasks", "niah_single", "--lengths", "128", "--samples", "1",
        "--policies", "full", "--out", file.toString()), r);
    assertOneLine(r[0], 2);
    assertThat(ruler).as("no task ran").doesNotContain("ruler ");
  }

  @Test
  void aPromptThatWasNotValidUtf8IsRefusedAsForAPromptFile() throws Exception {
    Path model = Files.writeString(tmp.resolve("model.gguf"), "not read");
    // the JVM turns bytes of the command line that are not valid UTF-8 (or not valid in the locale) into U+FFFD
    Result r = Cli.run("generate", "--model", model.toString(), "--prompt", "caf\ufffd au lait");
    assertOneLine(r, 2);
    assertThat(r.err()).contains("--prompt").contains("UTF-8").contains("--prompt-file");
  }

  @Test
  void aFifoGivenAsTheModelIsNamedForWhatItIs() throws Exception {
    Path fifo = tmp.resolve("model.gguf");
    mkfifo(fifo);
    Result r = Cli.run("generate", "--model", fifo.toString(), "--prompt-ids", "1");
    assertOneLine(r, 2);
    assertThat(r.err()).contains(fifo.toString()).contains("not a regular file").doesNotContain("does not exist").doesNotContain("no such file");
  }

  @Test
  void aSyntheticSpecTooLargeForOneTensorIsAOneLineError() {
    Result r = Cli.run("bench", "--model", "synthetic:dim=65536,vocab=4194304", "--contexts", "16");
    assertOneLine(r, 2);
    assertThat(r.err()).contains("vocab").doesNotContain("ArithmeticException");
    assertOneLine(Cli.run("export-gguf", "--model", "synthetic:dim=65536,vocab=4194304", "--out", tmp.resolve("x.gguf").toString()), 2);
  }
}
