package org.recycledattention.model.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.recycledattention.model.tokenizer.SentencePieceTokenizer;
import org.recycledattention.model.tokenizer.TokenType;
import org.recycledattention.model.tokenizer.Tokenizer;

/** A Hugging Face checkpoint pads its embedding past its tokenizer: the padding ids decode to nothing, never fail. */
class PaddedVocabularyTest {
  /** {@code <unk> <s> </s>}, 256 byte pieces, then {@code ▁tNNN} up to 300 pieces. */
  private static Tokenizer tokenizer() {
    List<String> pieces = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
    int n = 300;
    TokenType[] types = new TokenType[n];
    float[] scores = new float[n];
    types[0] = TokenType.UNKNOWN;
    types[1] = TokenType.CONTROL;
    types[2] = TokenType.CONTROL;
    for (int b = 0; b < 256; b++) {
      pieces.add(String.format("<0x%02X>", b));
      types[3 + b] = TokenType.BYTE;
    }
    for (int id = 259; id < n; id++) {
      pieces.add(SentencePieceTokenizer.SPM_SPACE + "t" + id);
      types[id] = TokenType.NORMAL;
      scores[id] = -id;
    }
    return new SentencePieceTokenizer(pieces, scores, types, 1, 2, new int[] {2}, true, true, SentencePieceTokenizer.SPM_SPACE);
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
