package org.recycledattention.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C (SIGINT) stops a long command at once, says what was done, and leaves no report. */
class InterruptionTest {
  @Test
  void anInterruptedBenchmarkStopsSaysWhatWasDoneAndWritesNoReport(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("reports");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "bench", "--model", "synthetic:tiny", "--contexts", "1024", "--policies", "full,recycled", "--decode-tokens", "2000", "--rounds", "400",
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
    // wait until some rounds are done
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      synchronized (err) {
        if (err.toString().matches("(?s).*bench +[0-9]*[1-9]%.*")) {
          break;
        }
      }
      Thread.sleep(100);
    }
    long t0 = System.nanoTime();
    new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor(); // what Ctrl-C sends
    assertThat(p.waitFor(5, TimeUnit.SECONDS)).as("stopped within 5 s").isTrue();
    double stopSeconds = (System.nanoTime() - t0) / 1e9;
    reader.join(2000);
    String text;
    synchronized (err) {
      text = err.toString();
    }
    assertThat(text).contains("ra: interrupted after context 1024, round ");
    assertThat(stopSeconds).as("seconds to stop").isLessThan(2.0);
    if (Files.exists(out)) {
      try (var files = Files.list(out)) {
        assertThat(files).as("no report, complete or partial").isEmpty();
      }
    }
  }
}
