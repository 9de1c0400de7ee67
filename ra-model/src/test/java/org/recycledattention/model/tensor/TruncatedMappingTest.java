package org.recycledattention.model.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mapped file truncated under a running kernel (issue 17, item 1): every tensor type's kernels,
 * once compiled by C2, must fault with an {@link InternalError} that the model turns into a
 * one-line error, never a SIGBUS that kills the JVM. HotSpot turns such a fault into an error only
 * in compiled code that contains a plain (scalar) unsafe access, which Vector API loads are not, so
 * each kernel starts with one ({@code Vec.touch}). Runs {@link TruncatedMappingProbe} in a JVM of
 * its own with C2 only and synchronous compilation, so that the kernels are compiled before the
 * truncation.
 */
class TruncatedMappingTest {
  @TempDir
  Path dir;

  @Test
  void everyKernelFaultsWithAnErrorNotAJvmCrash() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector", "-XX:-TieredCompilation", "-Xbatch",
        "-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"), "-cp", System.getProperty("java.class.path"), TruncatedMappingProbe.class.getName(),
        dir.toString())).redirectErrorStream(true).start();
    byte[] output = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String text = new String(output, StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).as("crash logs; output:%n%s", text).noneMatch(n -> n.startsWith("hs_err"));
    }
    assertThat(p.exitValue()).as("exit code; output:%n%s", text).isZero();
    for (GgmlType type : GgmlType.values()) {
      if (type.supported()) {
        assertThat(text).contains("fault " + type + " java.lang.InternalError");
      }
    }
    assertThat(text).contains("done");
  }
}
