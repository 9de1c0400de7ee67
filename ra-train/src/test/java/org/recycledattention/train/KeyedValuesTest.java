package org.recycledattention.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.recycledattention.eval.ruler.RulerGenerator;
import org.recycledattention.eval.ruler.RulerTask;

/**
 * {@code ra train-probe --keyed-values P} and {@code --adjacent-keys P}: which training samples are
 * drawn with keyed values, and which with adjacent keys.
 */
class KeyedValuesTest {
  private final RulerGenerator plain = new RulerGenerator(s -> s.length() / 4, 3);
  private final ProbeTrainer.Options options = new ProbeTrainer.Options(100, 4, 96, 256, 1, 3e-3, List.of(RulerTask.ECHO));

  @Test
  void aShareOfTheSamplesIsKeyed() {
    Random random = new Random(5);
    int keyed = 0;
    for (int i = 0; i < 1000; i++) {
      keyed += ProbeTrainer.sampleGenerator(plain, options.withKeyedValues(0.3), random).keyedValues() ? 1 : 0;
    }
    assertThat(keyed).isBetween(240, 360);
    for (int i = 0; i < 100; i++) {
      assertThat(ProbeTrainer.sampleGenerator(plain, options.withKeyedValues(1), random).keyedValues()).isTrue();
    }
  }

  @Test
  void withoutKeyedValuesNoSampleIsKeyedAndTheRunsStreamIsUnchanged() {
    assertThat(options.keyedValues()).isZero();
    Random random = new Random(5);
    for (int i = 0; i < 100; i++) {
      assertThat(ProbeTrainer.sampleGenerator(plain, options, random)).isSameAs(plain);
    }
    // nothing drawn: the rest of the run's draws (tasks, depths, lengths) stay where they were
    assertThat(random.nextLong()).isEqualTo(new Random(5).nextLong());
  }

  @Test
  void theShareMustBeBetweenZeroAndOne() {
    assertThatThrownBy(() -> options.withKeyedValues(1.5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keyed values 1.5");
    assertThatThrownBy(() -> options.withKeyedValues(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aShareOfTheSamplesHasAdjacentKeysIndependentlyOfKeyedValues() {
    Random random = new Random(7);
    int adjacent = 0;
    int both = 0;
    for (int i = 0; i < 1000; i++) {
      RulerGenerator g = ProbeTrainer.sampleGenerator(plain, options.withKeyedValues(0.5).withAdjacentKeys(0.4), random);
      adjacent += g.adjacentKeys() ? 1 : 0;
      both += g.adjacentKeys() && g.keyedValues() ? 1 : 0;
    }
    assertThat(adjacent).isBetween(340, 460);
    assertThat(both).as("about 0.5 * 0.4 of the samples").isBetween(150, 250);
    assertThat(options.adjacentKeys()).isZero();
    assertThatThrownBy(() -> options.withAdjacentKeys(-0.1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("adjacent keys -0.1");
  }
}
