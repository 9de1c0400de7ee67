package org.recycledattention.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.recycledattention.eval.ruler.RulerGenerator;
import org.recycledattention.eval.ruler.RulerTask;
import org.recycledattention.eval.ruler.TaskSample;
import org.recycledattention.model.tokenizer.SentencePieceTokenizer;

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

  @Test
  void recallTrainsOnEveryAnswerItsPromptShows() {
    ProbeTrainer trainer = new ProbeTrainer(ProbeGeometry.DEFAULT, ProbeVocabulary.build());
    SentencePieceTokenizer tok = ProbeVocabulary.build().tokenizer();
    TaskSample sample = new RulerGenerator(s -> tok.encode(s, false).length, 5).generateAtDepth(RulerTask.RECALL, 64, 2, 0.5, 5);
    int[] prompt = tok.encode(sample.prompt(), true);
    boolean[] shown = trainer.shownAnswerTokens(sample, prompt);
    // the marked tokens are the four earlier answers, " v." each, in order, and nothing else
    StringBuilder marked = new StringBuilder();
    for (int i = 0; i < prompt.length; i++) {
      if (shown[i]) {
        marked.append(tok.decode(new int[] {prompt[i]}));
      }
    }
    assertThat(sample.shownAnswers()).hasSize(4);
    String expected = String.join("", sample.shownAnswers().stream().map(s -> sample.prompt().substring(s.start(), s.end()).strip()).toList());
    assertThat(marked.toString().replace(" ", "")).isEqualTo(expected);
    assertThat(expected).hasSize(4 * 8);
    // the last answer is the model's to give: not in the prompt
    assertThat(sample.prompt().substring(sample.prompt().lastIndexOf('\n'))).doesNotContain(sample.answers().get(0));
    long marks = 0;
    for (boolean b : shown) {
      marks += b ? 1 : 0;
    }
    assertThat(marks).as("▁NN NN NN N . per answer").isEqualTo(4 * 5);
    assertThat(Arrays.copyOf(shown, prompt.length - 1)).contains(true);
  }
}
