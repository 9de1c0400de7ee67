package org.recycledattention.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.recycledattention.inference.Engine;
import org.recycledattention.probe.ShippedProbe;

class LoadTestTest {
  @Test
  void aSmallLevelAnswersEveryRequestAndReportsOrderedPercentiles() throws Exception {
    try (Engine e = Probe.engine();
        OpenAiServer s =
            Probe.server(e, 2, 8)) {
      String body =
          new ObjectMapper()
              .createObjectNode()
              .put("prompt", ShippedProbe.NEEDLE_PROMPT)
              .put("max_tokens", 4)
              .put("temperature", 0)
              .toString();
      LoadTest load = new LoadTest(URI.create(s.url() + "/v1/completions"), body);
      assertThat(load.warmUp(1)).isEqualTo(1);
      LoadTest.Level level = load.run(2, 6, Duration.ofSeconds(30));
      assertThat(level.requests()).isEqualTo(6);
      assertThat(level.errors()).isZero();
      assertThat(level.p50Millis()).isPositive().isLessThanOrEqualTo(level.p99Millis());
      assertThat(level.requestsPerSecond()).isPositive();
      // the server counts a request once its answer is written, which the client may see first
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (s.stats().completed() < 7 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(s.stats().completed()).isEqualTo(7);
      assertThat(LoadTest.table(List.of(level))).contains("| 2 | 6 | 0 |");
    }
  }

  @Test
  void percentilesAreNearestRank() {
    long[] ms = {1_000_000, 2_000_000, 3_000_000, 4_000_000};
    assertThat(LoadTest.percentile(ms, 50)).isEqualTo(2.0);
    assertThat(LoadTest.percentile(ms, 99)).isEqualTo(4.0);
    assertThat(LoadTest.percentile(new long[0], 50)).isNaN();
  }

  @Test
  void onlyThisMachineIsATarget() {
    assertThatThrownBy(() -> new LoadTest(URI.create("http://10.0.0.1:8080/v1/completions"), "{}"))
        .hasMessageContaining("only targets this machine");
    new LoadTest(URI.create("http://localhost:1/v1/completions"), "{}");
  }
}
