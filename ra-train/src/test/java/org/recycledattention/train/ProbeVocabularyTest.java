package org.recycledattention.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.recycledattention.eval.ruler.RulerGenerator;
import org.recycledattention.eval.ruler.RulerTask;
import org.recycledattention.model.tokenizer.SentencePieceTokenizer;

class ProbeVocabularyTest {
  private final SentencePieceTokenizer tok = ProbeVocabulary.build().tokenizer();

  @Test
  void templateWordsAreSingleTokensAndTextRoundTrips() {
    String text = "The grass is green. One of the special magic numbers for amber-anchor is: 1234567.";
    int[] ids = tok.encode(text, false);
    assertThat(tok.decode(ids)).isEqualTo(text);
    assertThat(tok.encode("grass", false)).hasSize(1);
    assertThat(tok.encode("special", false)).hasSize(1);
    // a seven-digit value is four chunks of at most two digits, the first with the space
    int[] value = tok.encode("1234567", false);
    assertThat(value).hasSize(4);
    assertThat(tok.piece(value[0])).isEqualTo(SentencePieceTokenizer.SPM_SPACE + "12");
    assertThat(tok.piece(value[3])).isEqualTo("7");
    assertThat(tok.decode(value)).isEqualTo("1234567");
  }

  @Test
  void generatedTasksUseNoByteFallback() {
    RulerGenerator gen = new RulerGenerator(s -> tok.encode(s, false).length, 3);
    for (RulerTask t : RulerTask.values()) {
      int[] ids = tok.encode(gen.generate(t, 1200, 0, 1).prompt(), false);
      for (int id : ids) {
        assertThat(id).as("task %s uses byte fallback for %s", t, tok.piece(id)).isGreaterThan(258);
      }
    }
    assertThat(ProbeVocabulary.build().size()).isLessThan(4096);
  }
}
