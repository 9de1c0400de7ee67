package org.recycledattention.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.recycledattention.eval.ruler.RulerTask;

class ProbeTrainerTest {
  @Test
  void aFewStepsLowerTheLoss() {
    ProbeGeometry tiny = new ProbeGeometry(2, 64, 4, 2, 16, 128, 512, 10000f, 1e-5f);
    ProbeTrainer trainer = new ProbeTrainer(tiny, ProbeVocabulary.build());
    List<Double> losses = new ArrayList<>();
    ProbeTrainer.Options options = new ProbeTrainer.Options(40, 4, 96, 160, 11, 3e-3, List.of(RulerTask.NIAH_SINGLE));
    ProbeWeights w = trainer.train(options, log -> losses.add(log.loss()));
    assertThat(losses).hasSize(40);
    double first = losses.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double last = losses.subList(35, 40).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    assertThat(last).as("loss %s -> %s", first, last).isLessThan(first * 0.8);
    assertThat(w.tensors()).containsKeys("token_embd.weight", "blk.1.ffn_down.weight").doesNotContainKey("output.weight"); // tied
    assertThat(w.tensors().get("blk.0.attn_k.weight").rows()).isEqualTo(2 * 16);
  }
}
