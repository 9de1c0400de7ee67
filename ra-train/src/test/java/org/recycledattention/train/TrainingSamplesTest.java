package org.recycledattention.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.recycledattention.eval.ruler.RulerGenerator;
import org.recycledattention.eval.ruler.RulerTask;
import org.recycledattention.eval.ruler.TaskSample;

/**
 * The samples of one training stream are independent of each other: consecutive ids once seeded
 * consecutive {@code java.util.Random}s, whose first draws are nearly linear in the seed.
 */
class TrainingSamplesTest {
  private static final Pattern ASKED = Pattern.compile("The special magic number for (\\w+)-(\\w+) mentioned");
  private static final int SAMPLES = 480;

  @Test
  void consecutiveTrainingSamplesDrawTheirKeysAndValuesIndependently() {
    RulerGenerator generator = new RulerGenerator(s -> s.length() / 4, 73);
    List<String> adjectives = new ArrayList<>();
    List<Long> values = new ArrayList<>();
    for (int i = 0; i < SAMPLES; i++) {
      TaskSample s = generator.generateAtDepth(RulerTask.NIAH_MULTIKEY, 90, ProbeTrainer.sampleId(i), 0.5, 3);
      Matcher m = ASKED.matcher(s.prompt());
      assertThat(m.find()).as("sample %d asks a key", i).isTrue();
      adjectives.add(m.group(1));
      values.add(Long.parseLong(s.answers().get(0)));
    }
    int sameWord = 0;
    for (int i = 1; i < SAMPLES; i++) {
      sameWord += adjectives.get(i).equals(adjectives.get(i - 1)) ? 1 : 0;
    }
    // 25 adjectives: 1 in 25 by chance (19 of 479); consecutive ids as seeds gave 106
    assertThat(sameWord).as("consecutive samples asking a key with the same first word").isLessThan(40);
    Set<Long> steps = new HashSet<>();
    for (int i = 2; i < SAMPLES; i++) {
      steps.add(values.get(i) - values.get(i - 2));
    }
    // consecutive ids as seeds: the answers of samples two apart differed by one of 39 amounts
    assertThat(steps).as("distinct differences between the answers of samples two apart").hasSizeGreaterThan(SAMPLES - 20);
  }

  @Test
  void sampleIdsAreAFixedFunctionOfTheIndexSoARunCanBeRepeated() {
    assertThat(ProbeTrainer.sampleId(12345)).isEqualTo(ProbeTrainer.sampleId(12345));
    Set<Long> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(ProbeTrainer.sampleId(i));
    }
    assertThat(ids).hasSize(10_000);
  }
}
