package org.recycledattention.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.recycledattention.eval.ruler.RulerGenerator;
import org.recycledattention.eval.ruler.RulerTask;

/**
 * {@code ra train-probe --keyed-values P}, {@code --adjacent-keys P} and {@code --colon-keys P}: which
 * training samples are drawn with keyed values, and which with adjacent keys or a colon between key
 * and value.
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
  void sharesOfTheSamplesHaveAdjacentKeysOrAColonIndependentlyOfKeyedValues() {
    Random random = new Random(7);
    Map<RulerGenerator.KeyGap, Integer> gaps = new EnumMap<>(RulerGenerator.KeyGap.class);
    int adjacentAndKeyed = 0;
    for (int i = 0; i < 1000; i++) {
      RulerGenerator g = ProbeTrainer.sampleGenerator(plain, options.withKeyedValues(0.5).withKeyGaps(0.4, 0.3), random);
      gaps.merge(g.keyGap(), 1, Integer::sum);
      adjacentAndKeyed += g.keyGap() == RulerGenerator.KeyGap.NONE && g.keyedValues() ? 1 : 0;
    }
    assertThat(gaps.get(RulerGenerator.KeyGap.NONE)).isBetween(340, 460);
    assertThat(gaps.get(RulerGenerator.KeyGap.COLON)).isBetween(240, 360);
    assertThat(gaps.get(RulerGenerator.KeyGap.WORDS)).isBetween(240, 360);
    assertThat(adjacentAndKeyed).as("about 0.5 * 0.4 of the samples").isBetween(150, 250);
    assertThat(options.adjacentKeys()).isZero();
    assertThat(options.colonKeys()).isZero();
    assertThatThrownBy(() -> options.withKeyGaps(-0.1, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("adjacent keys -0.1");
    assertThatThrownBy(() -> options.withKeyGaps(0.6, 0.5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("colon keys 0.5");
  }
}
