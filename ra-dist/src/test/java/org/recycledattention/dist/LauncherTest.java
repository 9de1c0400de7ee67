package org.recycledattention.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.dist.Launcher.Run;
import org.recycledattention.dist.Launcher.Running;
import org.recycledattention.cli.testplugins.FailingAssertionPolicy;

/**
 * The {@code ./ra} launcher as a user meets it (issue 17, items 1, 4, 5 and 10): what reaches the
 * terminal and when, what Ctrl-C and SIGTERM do, and what a model file changed under a running
 * command ends in.
 */
class LauncherTest {
  /** A bench long enough to be interrupted: a progress bar on stderr, status updated every round. */
  private static final String[] LONG_BENCH = {"bench", "--model", "synthetic:tiny,context=65536", "--contexts", "1024", "--policies",
      "full,recycled", "--decode-tokens", "50000", "--rounds", "2500"};

  @TempDir
  static Path shared;

  private static Path model;

  @TempDir
  Path dir;

  @BeforeAll
  static void exportAModel() throws Exception {
    model = shared.resolve("model.gguf");
    Run r = Launcher.run(shared, Map.of(), "export-gguf", "--model",
        "synthetic:layers=2,dim=256,heads=4,kv-heads=4,head-dim=64,ffn=512,vocab=512,context=16384", "--out", model.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
  }

  private static boolean progressShown(Running r) {
    return r.err().matches("(?s).*\rbench +[0-9]+%.*") || r.out().matches("(?s).*\rbench +[0-9]+%.*");
  }

  /** Without a terminal the bar writes whole lines: the first at once. */
  private static boolean plainProgressShown(Running r) {
    return r.err().matches("(?s)(.*\n)?bench +[0-9]+%.*\n.*");
  }

  // ------------------------------------------------------------------------------ item 4: the terminal

  @Test
  void onATerminalTheProgressBarShowsAtOnceAndCtrlCSaysWhatWasDone() throws Exception {
    assumeTrue(Launcher.hasScript(), "util-linux 'script' (a pseudo-terminal) is not installed");
    try (Running r = Launcher.start(Launcher.builder(dir, Launcher.onTerminal(Launcher.ra(LONG_BENCH)), Map.of()))) {
      // a \r-only progress line reaches the terminal while the command runs, not when it ends
      r.waitFor("the progress bar", 90, LauncherTest::progressShown);
      assertThat(r.process.isAlive()).isTrue();
      r.stdin().write(3); // Ctrl-C, typed on the terminal: SIGINT to the foreground process group
      r.stdin().flush();
      assertThat(r.await(20)).as("stopped after Ctrl-C; output: %s", Launcher.tail(r.out())).isTrue();
      assertThat(r.out()).contains("ra: interrupted after ").doesNotContain("WARNING: Using incubator modules");
    }
  }

  @Test
  void sigtermToTheLauncherStopsTheJvmWhichSaysWhatWasDone() throws Exception {
    try (Running r = Launcher.start(Launcher.builder(dir, Launcher.ra(LONG_BENCH), Map.of()))) {
      r.waitFor("the first progress line", 90, LauncherTest::plainProgressShown);
      List<ProcessHandle> descendants = r.process.descendants().toList();
      try {
        new ProcessBuilder("kill", "-TERM", Long.toString(r.process.pid())).start().waitFor();
        assertThat(r.await(20)).as("the launcher ended").isTrue();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (descendants.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertThat(descendants).as("processes the launcher started").noneMatch(ProcessHandle::isAlive);
        assertThat(r.err()).contains("ra: interrupted after ");
      } finally {
        descendants.forEach(ProcessHandle::destroyForcibly);
      }
    }
  }

  @Test
  void withoutATerminalProgressIsWholeLinesNotRedraws() throws Exception {
    // a log file: the bar redrawn every 250 ms with \r would add a line each time (megabytes for a training run)
    Run bench = Launcher.run(dir, Map.of(), "bench", "--model", model.toString(), "--contexts", "64", "--policies", "full", "--decode-tokens", "4",
        "--rounds", "2", "--out", dir.resolve("bench").toString());
    assertThat(bench.exitCode()).as(bench.err()).isZero();
    assertThat(bench.err()).doesNotContain("\r").containsPattern("(?m)^bench +0%").containsPattern("(?m)^bench +100%");
    Run train = Launcher.run(dir, Map.of(), "train-probe", "--out", dir.resolve("probe.gguf").toString(), "--steps", "3", "--batch", "1",
        "--min-length", "64", "--geometry", "layers=1,dim=16,heads=1,kv-heads=1,head-dim=16,ffn=16", "--tasks", "niah_single", "--type", "f32");
    assertThat(train.exitCode()).as(train.err()).isZero();
    // train-probe logs its own lines; the bar writes none
    assertThat(train.err()).doesNotContain("\r").contains("step 3 of 3: loss").doesNotContainPattern("(?m)^train-probe +[0-9]+%");
  }

  @Test
  void aBadJavaOptionIsReportedOnStderrNotStdout() throws Exception {
    Run r = Launcher.run(dir, Map.of("RA_JAVA_OPTS", "--add-modules=no.such.module"), "policies");
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("no.such.module");
  }

  // ------------------------------------------------------------------------------ building

  /**
   * The launcher builds when a source is newer than ra-cli.jar; Maven leaves that jar alone when only
   * another module changed, so the launcher itself must date it, or it builds again on every run.
   * Run on a copy of the launcher in a tree of its own, with a stand-in mvn (counts its calls) and
   * java (answers -version as a JDK 25, else prints "ran").
   */
  @Test
  void aChangeInAnotherModuleIsBuiltOnceNotOnEveryRun() throws Exception {
    Path tree = dir.resolve("tree");
    Path jar = Files.createDirectories(tree.resolve("ra-dist/target/lib")).resolve("ra-cli.jar");
    Files.writeString(jar, "");
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(3600)));
    Path ra = Files.copy(Launcher.RA, tree.resolve("ra"));
    Files.setPosixFilePermissions(ra, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path source = Files.createDirectories(tree.resolve("ra-train/src/main/java")).resolve("A.java");
    Files.writeString(source, "class A {}");
    Path calls = dir.resolve("mvn-calls");
    Path bin = Files.createDirectories(dir.resolve("bin"));
    executable(bin.resolve("mvn"), "#!/bin/sh\necho \"$*\" >> '" + calls + "'\n");
    Path jdk = dir.resolve("jdk");
    executable(Files.createDirectories(jdk.resolve("bin")).resolve("java"),
        "#!/bin/sh\nif [ \"$1\" = -version ]; then echo 'openjdk version \"25\" 2025-09-16' >&2; exit 0; fi\necho ran\n");
    Map<String, String> env = Map.of("PATH", bin + ":" + System.getenv("PATH"), "JAVA_HOME", jdk.toString());

    Run first = runBuilding(ra, env);
    assertThat(first.err()).contains("rebuilding ra (sources changed)");
    assertThat(first.out()).isEqualTo("ran\n");
    assertThat(Files.readAllLines(calls)).hasSize(1);
    Run second = runBuilding(ra, env);
    assertThat(second.err()).as("nothing changed since the build").doesNotContain("building");
    assertThat(Files.readAllLines(calls)).hasSize(1);
    Files.setLastModifiedTime(source, FileTime.from(Instant.now().plusSeconds(5)));
    Run third = runBuilding(ra, env);
    assertThat(third.err()).contains("rebuilding ra");
    assertThat(Files.readAllLines(calls)).hasSize(2);
  }

  /**
   * The launcher picks the native allocator libtorch's tensors come from (glibc's default made a
   * train-probe step 4x slower): glibc with huge pages by default, jemalloc without decay (faster, but
   * its memory grows without bound) only when asked for; {@code RA_MALLOC=system} leaves the
   * environment alone; a bad value is one line and exit 2 before anything runs. A stand-in java prints the variables it was started with.
   */
  @Test
  void nativeMemoryIsHugePagesUnlessJemallocIsAskedFor() throws Exception {
    Path tree = dir.resolve("malloc");
    Files.createDirectories(tree.resolve("ra-dist/target/lib"));
    Files.writeString(tree.resolve("ra-dist/target/lib/ra-cli.jar"), "");
    Path ra = Files.copy(Launcher.RA, tree.resolve("ra"));
    Files.setPosixFilePermissions(ra, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path jdk = dir.resolve("malloc-jdk");
    executable(Files.createDirectories(jdk.resolve("bin")).resolve("java"),
        "#!/bin/sh\nif [ \"$1\" = -version ]; then echo 'openjdk version \"25\" 2025-09-16' >&2; exit 0; fi\n"
            + "echo \"preload=${LD_PRELOAD:-} conf=${MALLOC_CONF:-} tunables=${GLIBC_TUNABLES:-}\"\n");
    Path lib = Files.writeString(dir.resolve("libjemalloc.so.2"), ""); // never loaded: the stand-in is a script
    Map<String, String> base = Map.of("JAVA_HOME", jdk.toString());

    assertThat(runWith(ra, base, Map.of("RA_MALLOC", lib.toString())).out())
        .isEqualTo("preload=" + lib + " conf=dirty_decay_ms:-1,muzzy_decay_ms:-1 tunables=\n");
    assertThat(runWith(ra, base, Map.of("RA_MALLOC", lib.toString(), "MALLOC_CONF", "narenas:1")).out())
        .as("the user's MALLOC_CONF wins").isEqualTo("preload=" + lib + " conf=narenas:1 tunables=\n");
    assertThat(runWith(ra, base, Map.of("RA_MALLOC", "hugepages", "GLIBC_TUNABLES", "glibc.malloc.check=0")).out())
        .isEqualTo("preload= conf= tunables=glibc.malloc.check=0:glibc.malloc.hugetlb=1\n");
    assertThat(runWith(ra, base, Map.of("RA_MALLOC", "system")).out()).isEqualTo("preload= conf= tunables=\n");
    assertThat(runWith(ra, base, Map.of()).out()).as("auto: huge pages, whose memory stays bounded, whether or not jemalloc is installed")
        .isEqualTo("preload= conf= tunables=glibc.malloc.hugetlb=1\n");
    assertThat(runWith(ra, base, Map.of("RA_MALLOC", "auto")).out()).isEqualTo("preload= conf= tunables=glibc.malloc.hugetlb=1\n");
    Run installed = runWith(ra, base, Map.of("RA_MALLOC", "jemalloc"));
    if (installed.exitCode() == 0) {
      assertThat(installed.out()).matches("preload=/\\S*libjemalloc\\.so\\.2 conf=dirty_decay_ms:-1,muzzy_decay_ms:-1 tunables=\n");
    } else {
      assertThat(installed.exitCode()).isEqualTo(2);
      assertThat(installed.out()).as("java never ran").isEmpty();
      assertThat(installed.err()).startsWith("ra: RA_MALLOC=jemalloc: no libjemalloc.so.2 in ").endsWith("unset RA_MALLOC for the default\n");
    }
    for (String bad : List.of("jemallocc", "relative/libjemalloc.so.2", dir.resolve("missing.so").toString())) {
      Run r = runWith(ra, base, Map.of("RA_MALLOC", bad));
      assertThat(r.exitCode()).as(bad).isEqualTo(2);
      assertThat(r.out()).as("java never ran").isEmpty();
      assertThat(r.err()).isEqualTo("ra: RA_MALLOC=" + bad + ": expected auto, hugepages, jemalloc, system or the absolute path of an "
          + "existing libjemalloc shared library; unset it for the default\n");
    }
  }

  /** The launcher with {@code base} and {@code env} and none of the allocator variables the test's own environment may hold. */
  private Run runWith(Path ra, Map<String, String> base, Map<String, String> env) throws Exception {
    ProcessBuilder b = Launcher.builder(dir, List.of(ra.toString(), "policies"), base);
    b.environment().keySet().removeAll(List.of("RA_MALLOC", "LD_PRELOAD", "MALLOC_CONF", "GLIBC_TUNABLES"));
    b.environment().putAll(env);
    try (Running r = Launcher.start(b)) {
      assertThat(r.await(60)).as("the launcher ended").isTrue();
      return r.result();
    }
  }

  private static void executable(Path file, String script) throws Exception {
    Files.writeString(file, script);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private Run runBuilding(Path ra, Map<String, String> env) throws Exception {
    ProcessBuilder b = Launcher.builder(dir, List.of(ra.toString(), "policies"), env);
    b.environment().remove("RA_NO_BUILD");
    try (Running r = Launcher.start(b)) {
      assertThat(r.await(60)).as("the launcher ended").isTrue();
      return r.result();
    }
  }

  // ------------------------------------------------------------------------------ item 5: Errors

  @Test
  void anErrorInAPluginIsOneLineAndNoFalseInterruption() throws Exception {
    Path plugins = dir.resolve("plugins");
    Launcher.pluginJar(plugins, FailingAssertionPolicy.class);
    Run r = Launcher.run(dir, Map.of(), "generate", "--model", model.toString(), "--prompt-ids", "1", "--max-tokens", "2",
        "--policy", "failing-assertion", "--plugin-path", plugins.toString());
    assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
    assertThat(r.errLines()).singleElement().asString().contains("AssertionError").contains("plugin invariant broken");
  }

  // ------------------------------------------------------------------------------ item 1: files changed under a run

  /** Starts a long generate on a copy of the model, waits for some tokens, changes the file with {@code change}. */
  private Run generateAndChange(List<String> extra, FileChange change) throws Exception {
    Path copy = Files.copy(model, dir.resolve("copy.gguf"));
    List<String> args = new java.util.ArrayList<>(List.of("generate", "--model", copy.toString(), "--prompt-ids", "1", "--max-tokens", "3000",
        "--ignore-eos"));
    args.addAll(extra);
    try (Running r = Launcher.start(Launcher.builder(dir, Launcher.ra(args.toArray(String[]::new)), Map.of()))) {
      // a few hundred tokens: the kernels are compiled by now
      r.waitFor("generated text", 120, x -> x.out().length() > 2500);
      change.apply(copy);
      assertThat(r.await(120)).as("ended").isTrue();
      return r.result();
    }
  }

  @FunctionalInterface
  private interface FileChange {
    void apply(Path file) throws Exception;
  }

  private void assertNoCrash(Run r) throws Exception {
    assertThat(r.out()).doesNotContain("A fatal error has been detected");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("hs_err"));
    }
  }

  @Test
  void aModelFileTruncatedWhileMappedEndsInOneLineNotACrash() throws Exception {
    Run r = generateAndChange(List.of(), f -> {
      try (FileChannel c = FileChannel.open(f, StandardOpenOption.WRITE)) {
        c.truncate(c.size() / 2);
      }
    });
    assertNoCrash(r);
    assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
    assertThat(r.errLines()).singleElement().asString().contains("copy.gguf").contains("changed").contains("--no-mmap");
  }

  @Test
  void aModelFileOverwrittenWhileMappedEndsInOneLine() throws Exception {
    byte[] other = Files.readAllBytes(model);
    for (int i = other.length / 2; i < other.length; i += 4) {
      other[i] ^= 0x55;
    }
    Run r = generateAndChange(List.of(), f -> Files.write(f, other)); // as cp does: truncate, then write
    assertNoCrash(r);
    assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
    assertThat(r.errLines()).singleElement().asString().contains("copy.gguf").contains("changed");
  }

  @Test
  void withNoMmapTheFileMayChangeFreely() throws Exception {
    Run r = generateAndChange(List.of("--no-mmap"), f -> Files.write(f, "gone".getBytes(StandardCharsets.UTF_8)));
    assertNoCrash(r);
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.err()).contains("3000 tokens");
  }
}
