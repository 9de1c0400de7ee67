package org.recycledattention.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C (SIGINT) stops a long command at once, says what was done, and keeps what was finished: a
 * report marked partial with the finished cells, never a half-written file. The launcher's part
 * (the signal reaching the JVM, the line reaching the terminal) is tested by ra-dist's LauncherTest.
 */
class InterruptionTest {
  @Test
  void anInterruptedBenchmarkStopsSaysWhatWasDoneAndKeepsItsFinishedCells(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("reports");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // context 64 finishes within a few seconds; context 60000 then runs for much longer (8,000 tokens: with 2,000 it
    // could end within a second of the 51% the test waits for, before the signal arrives)
    List<String> cmd = new ArrayList<>();
    if (Sigint.ignored()) {
      // a build started as a background job of a non-interactive shell (`mvn verify &`) ignores SIGINT; the child would
      // inherit that, and a JVM keeps an ignored SIGINT ignored: GNU env restores the default before it starts java
      assumeTrue(envRestoresSignals(),
          "SIGINT is ignored in this build's process and `env --default-signal` is missing: run the build in the foreground");
      cmd.addAll(List.of("env", "--default-signal=INT"));
    }
    cmd.addAll(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "bench", "--model", "synthetic:tiny,context=131072", "--contexts", "64,60000", "--policies", "full,recycled", "--decode-tokens", "8000", "--rounds", "400",
        "--out", out.toString()));
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    StringBuilder err = new StringBuilder();
    Thread reader = Thread.ofVirtual().start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
        int c;
        while ((c = r.read()) >= 0) {
          synchronized (err) {
            err.append((char) c);
          }
        }
      } catch (java.io.IOException ignored) {
        // the process ended
      }
    });
    // wait until the first context is measured and the second has started: more than 400 of 800 rounds
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline && p.isAlive()) {
      synchronized (err) {
        if (err.toString().matches("(?s).*bench +(5[1-9]|[6-9][0-9])%.*")) {
          break;
        }
      }
      Thread.sleep(100);
    }
    assertThat(p.isAlive()).as("still running; stderr: %s", err).isTrue();
    long t0 = System.nanoTime();
    new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor(); // what Ctrl-C sends
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("stopped within 10 s").isTrue();
    double stopSeconds = (System.nanoTime() - t0) / 1e9;
    reader.join(2000);
    String text;
    synchronized (err) {
      text = err.toString();
    }
    assertThat(text).contains("ra: interrupted after context 60000, round ").contains("wrote a partial report (marked partial) of 2 finished cells");
    assertThat(stopSeconds).as("seconds to stop").isLessThan(3.0);

    JsonNode report = new ObjectMapper().readTree(Files.readString(out.resolve("bench.json")));
    assertThat(report.get("partial").asBoolean()).isTrue();
    assertThat(report.get("cells")).hasSize(2);
    report.get("cells").forEach(cell -> assertThat(cell.get("context").asInt()).isEqualTo(64));
    assertThat(Files.readString(out.resolve("bench.md"))).contains("**Partial report**").contains("| cpu     | full     |      64 |");
    try (var files = Files.list(out)) {
      assertThat(files.map(f -> f.getFileName().toString())).as("no chart, no temporary file").containsExactlyInAnyOrder("bench.json", "bench.md");
    }
  }

  private static boolean envRestoresSignals() throws Exception {
    Process env = new ProcessBuilder("env", "--default-signal=INT", "true").redirectErrorStream(true).start();
    env.getInputStream().transferTo(OutputStream.nullOutputStream());
    return env.waitFor(10, TimeUnit.SECONDS) && env.exitValue() == 0;
  }
}
