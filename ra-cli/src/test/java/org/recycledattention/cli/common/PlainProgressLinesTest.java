package org.recycledattention.cli.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PlainProgressLinesTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private long now;

  private String written() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void writesTheFirstStateThenOneLinePerIntervalAndTheLastWhenClosed() {
    PlainProgressLines lines = new PlainProgressLines(out, 1000, () -> now);
    lines.accept("task   0% [   ] 0/9");
    for (int i = 1; i <= 8; i++) {
      now += 250; // the bar's redraw interval
      lines.accept("task  " + i + "% [   ] " + i + "/9\r");
    }
    lines.close();
    assertThat(written()).doesNotContain("\r")
        .isEqualTo("task   0% [   ] 0/9\ntask  4% [   ] 4/9\ntask  8% [   ] 8/9\n");
  }

  @Test
  void writesALineAtEveryTenthOfTheWork() {
    int[] percent = {0};
    PlainProgressLines lines = new PlainProgressLines(out, 60_000, () -> now).follow(() -> percent[0]);
    for (int p = 0; p <= 25; p += 5) {
      percent[0] = p;
      now += 250;
      lines.accept("task " + p + "%");
    }
    lines.close();
    assertThat(written()).isEqualTo("task 0%\ntask 10%\ntask 20%\ntask 25%\n");
  }

  @Test
  void theLastStateIsNotWrittenTwice() {
    PlainProgressLines lines = new PlainProgressLines(out, 1000, () -> now);
    lines.accept("a");
    lines.close();
    assertThat(written()).isEqualTo("a\n");
  }

  @Test
  void aNegativeIntervalWritesNothing() {
    PlainProgressLines lines = new PlainProgressLines(out, -1, () -> now);
    lines.accept("a");
    now += 60_000;
    lines.accept("b");
    lines.close();
    assertThat(written()).isEmpty();
  }
}
