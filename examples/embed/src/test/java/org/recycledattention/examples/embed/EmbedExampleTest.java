package org.recycledattention.examples.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EmbedExampleTest {
  @Test
  void theExampleStreamsStopsSwitchesPolicyCancelsAndReportsStats() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    EmbedExample.run(null, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines.get(0)).isEqualTo("model probe, policy recycled, budget 64");
    assertThat(lines)
        .contains("stopped at \"58\": [ 3690] STOP_STRING", "full attention: [ 3690583.]");
    assertThat(lines).anySatisfy(l -> assertThat(l).matches("cancelled after 3 tokens: CANCELLED"));
    assertThat(lines)
        .anySatisfy(l -> assertThat(l).startsWith("prefill ").contains("partial layer-steps"));
  }

  @Test
  void withoutTheVectorModuleItSaysWhichFlagToAdd() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                java, "-cp", System.getProperty("java.class.path"), EmbedExample.class.getName())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(err.lines().toList())
        .singleElement()
        .asString()
        .contains("add --add-modules jdk.incubator.vector")
        .doesNotContain("NoClassDefFoundError");
  }
}
