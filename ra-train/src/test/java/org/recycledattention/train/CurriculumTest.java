package org.recycledattention.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.recycledattention.eval.ruler.RulerTask;

class CurriculumTest {
  private final ProbeTrainer.Options options =
      new ProbeTrainer.Options(1000, 4, 100, 200, 1, 3e-3, List.of(RulerTask.NIAH_SINGLE, RulerTask.NIAH_MULTIKEY));

  @Test
  void staysAtTheStartUntilCompetent() {
    ProbeTrainer.Curriculum c = new ProbeTrainer.Curriculum(options);
    for (int step = 1; step <= 200; step++) {
      c.observe(step, 0.85);
    }
    assertThat(c.tasks).isEqualTo(1);
    assertThat(c.longest).isEqualTo(100);
    Random r = new Random(1);
    for (int i = 0; i < 100; i++) {
      assertThat(c.length(r)).isEqualTo(100);
    }
  }

  @Test
  void aLowerCompetenceBarAdvancesWhereTheDefaultWaits() {
    ProbeTrainer.Curriculum waits = new ProbeTrainer.Curriculum(options);
    ProbeTrainer.Curriculum grows = new ProbeTrainer.Curriculum(options.withCompetence(0.8));
    for (int step = 1; step <= 400; step++) {
      waits.observe(step, 0.85);
      grows.observe(step, 0.85);
    }
    assertThat(waits.tasks).isEqualTo(1);
    assertThat(waits.longest).isEqualTo(100);
    assertThat(grows.tasks).isEqualTo(2);
    assertThat(grows.longest).as("every task in, the prompts grow at 0.85 > 0.8").isEqualTo(200);
    assertThatThrownBy(() -> options.withCompetence(1.5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("competence 1.5");
    assertThatThrownBy(() -> options.withCompetence(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> options.withCompetence(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aBarOfOneHoldsTheCurriculumWhereItStarts() {
    ProbeTrainer.Curriculum held = new ProbeTrainer.Curriculum(options.startingWithKeys(2).withCompetence(1.0));
    for (int step = 1; step <= 400; step++) {
      held.observe(step, 1.0);
    }
    assertThat(held.tasks).as("every answer right, still one task").isEqualTo(1);
    assertThat(held.keys).isEqualTo(2);
    assertThat(held.longest).isEqualTo(100);
  }

  @Test
  void continuedTrainingStartsWithEveryTaskAtTheLongestLength() {
    ProbeWeights some = new ProbeWeights(ProbeGeometry.DEFAULT, ProbeVocabulary.build(), Map.of());
    ProbeTrainer.Curriculum c = new ProbeTrainer.Curriculum(options.continuing(some));
    assertThat(c.tasks).isEqualTo(2);
    assertThat(c.longest).isEqualTo(200);
    assertThat(options.continuing(some).initial()).isSameAs(some);
  }

  @Test
  void longPromptsTakeFewerSequencesPerStep() {
    ProbeTrainer.Options o = new ProbeTrainer.Options(10, 12, 96, 1024, 1, 3e-3, List.of(RulerTask.NIAH_SINGLE));
    assertThat(ProbeTrainer.sequencesPerStep(o, 96)).isEqualTo(12);
    assertThat(ProbeTrainer.sequencesPerStep(o, 384)).isEqualTo(12);
    assertThat(ProbeTrainer.sequencesPerStep(o, 768)).isEqualTo(6);
    assertThat(ProbeTrainer.sequencesPerStep(o, 1024)).isEqualTo(4);
    assertThat(ProbeTrainer.sequencesPerStep(o, 100_000)).isEqualTo(2);
  }

  @Test
  void learningRateWarmsUpHoldsThenDecays() {
    assertThat(ProbeTrainer.learningRate(options, 1)).isCloseTo(3e-3 / 50, within(1e-12));
    assertThat(ProbeTrainer.learningRate(options, 50)).isEqualTo(3e-3);
    assertThat(ProbeTrainer.learningRate(options, 700)).isEqualTo(3e-3);
    assertThat(ProbeTrainer.learningRate(options, 850)).isBetween(3e-4, 3e-3);
    assertThat(ProbeTrainer.learningRate(options, 1000)).isCloseTo(3e-4, within(1e-12));
  }

  @Test
  void addsTasksFirstThenGrowsTheLengthAtMostEveryPatienceSteps() {
    ProbeTrainer.Curriculum c = new ProbeTrainer.Curriculum(options);
    int step = 0;
    while (c.tasks == 1) {
      c.observe(++step, 1.0);
    }
    // the running accuracy needs a few steps to pass the threshold
    assertThat(step).isBetween(ProbeTrainer.PATIENCE, 30);
    assertThat(c.longest).isEqualTo(100);
    // the running accuracy restarts with the new task: the length waits for it to pass again
    int addedAt = step;
    while (c.longest == 100) {
      c.observe(++step, 1.0);
    }
    assertThat(step - addedAt).isGreaterThan(ProbeTrainer.PATIENCE);
    int advancedAt = step;
    while (c.longest == 116) {
      c.observe(++step, 1.0);
    }
    while (c.longest == 100) {
      c.observe(++step, 1.0);
    }
    assertThat(step - advancedAt).isEqualTo(ProbeTrainer.PATIENCE);
    assertThat(c.longest).isEqualTo(132); // a tenth, at least 16 tokens
    for (int i = 0; i < 200; i++) {
      c.observe(++step, 1.0);
    }
    assertThat(c.longest).isEqualTo(200);
    Random r = new Random(2);
    for (int i = 0; i < 200; i++) {
      assertThat(c.length(r)).isBetween(100, 200);
    }
  }

  @Test
  void theDistractorCurriculumAddsKeysAfterTheTasksAndBeforeTheLength() {
    ProbeTrainer.Curriculum c = new ProbeTrainer.Curriculum(options.startingWithKeys(2));
    assertThat(c.keys).isEqualTo(2);
    Random r = new Random(3);
    for (int i = 0; i < 50; i++) {
      assertThat(c.keys(r)).isEqualTo(2);
    }
    int step = 0;
    while (c.tasks == 1) {
      c.observe(++step, 1.0);
    }
    assertThat(c.keys).isEqualTo(2);
    while (c.keys == 2) {
      c.observe(++step, 1.0);
    }
    assertThat(c.keys).isEqualTo(3);
    assertThat(c.longest).as("the prompts wait for the distractors").isEqualTo(100);
    while (c.keys == 3) {
      c.observe(++step, 1.0);
    }
    assertThat(c.keys).isEqualTo(4);
    assertThat(c.longest).isEqualTo(100);
    // a sample's count is drawn between the start's and the current most
    Set<Integer> seen = new TreeSet<>();
    for (int i = 0; i < 200; i++) {
      seen.add(c.keys(r));
    }
    assertThat(seen).containsExactly(2, 3, 4);
    while (c.longest == 100) {
      c.observe(++step, 1.0);
    }
    assertThat(c.keys).isEqualTo(4);
  }

  @Test
  void withoutAKeyedTaskTheDistractorCurriculumDoesNothing() {
    ProbeTrainer.Options single = new ProbeTrainer.Options(1000, 4, 100, 200, 1, 3e-3, List.of(RulerTask.NIAH_SINGLE)).startingWithKeys(2);
    ProbeTrainer.Curriculum c = new ProbeTrainer.Curriculum(single);
    assertThat(c.keys).isEqualTo(4);
    int step = 0;
    while (c.longest == 100) {
      c.observe(++step, 1.0);
    }
    assertThat(step).isLessThan(30);
  }

  @Test
  void recallFollowsTheDistractorCurriculumUntilRulersFourKeysThenTakesTwoToEight() {
    List<RulerTask> tasks = List.of(RulerTask.INDUCTION, RulerTask.RECALL);
    ProbeTrainer.Options o = new ProbeTrainer.Options(1000, 4, 100, 200, 1, 3e-3, tasks).startingWithKeys(2);
    ProbeTrainer.Curriculum c = new ProbeTrainer.Curriculum(o);
    assertThat(c.keys).as("recall is a keyed task").isEqualTo(2);
    Random r = new Random(4);
    Set<Integer> recall = new TreeSet<>();
    Set<Integer> induction = new TreeSet<>();
    for (int i = 0; i < 300; i++) {
      recall.add(ProbeTrainer.keys(RulerTask.RECALL, c, r));
      induction.add(ProbeTrainer.keys(RulerTask.INDUCTION, c, r));
    }
    assertThat(recall).containsExactly(2);
    assertThat(induction).as("induction's list length is not a key count").containsExactly(2, 3, 4, 5, 6, 7, 8);
    c.keys = 3;
    recall.clear();
    for (int i = 0; i < 300; i++) {
      recall.add(ProbeTrainer.keys(RulerTask.RECALL, c, r));
    }
    assertThat(recall).containsExactly(2, 3);
    c.keys = 4;
    recall.clear();
    for (int i = 0; i < 300; i++) {
      recall.add(ProbeTrainer.keys(RulerTask.RECALL, c, r));
    }
    assertThat(recall).containsExactly(2, 3, 4, 5, 6, 7, 8);
    assertThat(ProbeTrainer.keys(RulerTask.NIAH_SINGLE, c, r)).isEqualTo(4);
  }

  @Test
  void echoIsAKeyedTaskWithRecallsKeyCounts() {
    ProbeTrainer.Options o = new ProbeTrainer.Options(1000, 4, 100, 200, 1, 3e-3, List.of(RulerTask.ECHO)).startingWithKeys(2);
    ProbeTrainer.Curriculum c = new ProbeTrainer.Curriculum(o);
    assertThat(c.keys).as("echo is a keyed task").isEqualTo(2);
    Random r = new Random(5);
    Set<Integer> echo = new TreeSet<>();
    for (int i = 0; i < 300; i++) {
      echo.add(ProbeTrainer.keys(RulerTask.ECHO, c, r));
    }
    assertThat(echo).containsExactly(2);
    c.keys = 4;
    echo.clear();
    for (int i = 0; i < 300; i++) {
      echo.add(ProbeTrainer.keys(RulerTask.ECHO, c, r));
    }
    assertThat(echo).containsExactly(2, 3, 4, 5, 6, 7, 8);
  }
}
