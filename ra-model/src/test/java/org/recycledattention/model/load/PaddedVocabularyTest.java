package org.recycledattention.model.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.recycledattention.model.tokenizer.SentencePieceTokenizer;
import org.recycledattention.model.tokenizer.TokenType;
import org.recycledattention.model.tokenizer.Tokenizer;

/** A Hugging Face checkpoint pads its embedding past its tokenizer: the padding ids decode to nothing, never fail. */
class PaddedVocabularyTest {
  /** {@code <unk> <s> </s>}, 256 byte pieces, then {@code ▁tNNN} up to 300 pieces. */
  private static Tokenizer tokenizer() {
    return SentencePieceTokenizer.placeholder(300);
  }

  @Test
  void paddingIdsDecodeToNothing() {
    Tokenizer inner = tokenizer();
    Tokenizer padded = new PaddedVocabulary(inner, 512);
    assertThat(padded.vocabSize()).isEqualTo(512);
    assertThat(padded.piece(400)).isEqualTo("[PAD400]");
    assertThat(padded.tokenType(400)).isEqualTo(TokenType.UNUSED);
    assertThat(padded.decode(new int[] {260, 400, 261, 511})).isEqualTo(inner.decode(new int[] {260, 261}));
    Tokenizer.StreamingDecoder d = padded.newDecoder();
    assertThat(d.next(400)).isEmpty();
    assertThat(d.next(260) + d.finish()).isEqualTo(inner.newDecoder().next(260));
    assertThat(padded.encode("t260", true)).isEqualTo(inner.encode("t260", true));
    assertThat(padded.piece(260)).isEqualTo(inner.piece(260));
  }
}
