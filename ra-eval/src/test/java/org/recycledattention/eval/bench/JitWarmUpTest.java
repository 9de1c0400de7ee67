package org.recycledattention.eval.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JitWarmUpTest {
  private static final long NEVER = Long.MAX_VALUE;

  @Test
  void stopsAtTheStepBoundWhenTheJitNeverGoesQuiet() {
    AtomicInteger calls = new AtomicInteger();
    assertThat(JitWarmUp.untilQuiet(() -> calls.incrementAndGet() > 0, NEVER, NEVER, 50)).isEqualTo(50);
    assertThat(calls).hasValue(50);
  }

  @Test
  void stopsWhenTheStepHasNothingLeftToRun() {
    AtomicInteger calls = new AtomicInteger();
    assertThat(JitWarmUp.untilQuiet(() -> calls.incrementAndGet() < 3, NEVER, NEVER, 50)).isEqualTo(3);
  }

  @Test
  void stopsAtTheTimeBound() {
    int steps = JitWarmUp.untilQuiet(() -> {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return true;
    }, NEVER, 50_000_000L, 100_000);
    assertThat(steps).isBetween(1, 1000);
  }

  @Test
  void runsNothingOnceTheJitHasBeenQuietLongEnough() {
    assertThat(JitWarmUp.untilQuiet(() -> true, 0, NEVER, 50)).isZero();
    assertThat(JitWarmUp.untilQuiet(() -> true, NEVER, NEVER, 0)).isZero();
  }
}
