package org.recycledattention.engine.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.recycledattention.model.tokenizer.SentencePieceTokenizer;
import org.recycledattention.model.tokenizer.TokenType;
import org.recycledattention.model.tokenizer.Tokenizer;

class TextStreamTest {
  /**
   * A 40-entry SentencePiece vocabulary (the size of RandomModels.smallConfig()) with words and
   * UTF-8 byte pieces.
   */
  static Tokenizer tokenizer() {
    List<String> pieces =
        new ArrayList<>(
            List.of(
                "<unk>",
                "<s>",
                "</s>",
                "<0xC3>",
                "<0xA9>",
                "<0xE2>",
                "<0x82>",
                "<0xAC>",
                "\u2581Hel",
                "lo",
                "\u2581wor",
                "ld",
                ".",
                "\n",
                "\u2581a",
                "b",
                "\u2581STOP",
                "ST",
                "OP",
                "!"));
    while (pieces.size() < 40) {
      pieces.add("w" + pieces.size());
    }
    TokenType[] types = new TokenType[pieces.size()];
    for (int i = 0; i < types.length; i++) {
      types[i] =
          i == 0
              ? TokenType.UNKNOWN
              : i < 3 ? TokenType.CONTROL : i < 8 ? TokenType.BYTE : TokenType.NORMAL;
    }
    return new SentencePieceTokenizer(
        pieces,
        new float[pieces.size()],
        types,
        1,
        2,
        new int[] {2},
        true,
        true,
        SentencePieceTokenizer.SPM_SPACE);
  }

  private static final int HEL = 8;
  private static final int LO = 9;
  private static final int WOR = 10;
  private static final int LD = 11;
  private static final int DOT = 12;

  private static List<String> pushAll(TextStream s, int... ids) {
    List<String> out = new ArrayList<>();
    for (int id : ids) {
      out.add(s.push(id));
      if (s.stopped()) {
        return out;
      }
    }
    out.add(s.finish());
    return out;
  }

  @Test
  void aMultiByteCharacterSplitAcrossTokensArrivesWhole() {
    TextStream s = new TextStream(tokenizer(), List.of());
    assertThat(s.push(HEL)).isEqualTo(" Hel");
    assertThat(s.push(3)).isEmpty(); // 0xC3: first byte of é
    assertThat(s.push(4)).isEqualTo("é");
    assertThat(s.push(5)).isEmpty(); // € is E2 82 AC
    assertThat(s.push(6)).isEmpty();
    assertThat(s.push(7)).isEqualTo("€");
    assertThat(s.finish()).isEmpty();
    assertThat(s.text()).isEqualTo(" Helé€");
  }

  @Test
  void anIncompleteCharacterAtTheEndBecomesAReplacementCharacter() {
    TextStream s = new TextStream(tokenizer(), List.of());
    assertThat(s.push(5)).isEmpty();
    assertThat(s.finish()).isEqualTo("\uFFFD");
  }

  @Test
  void textThatMayStartAStopStringIsHeldBackUntilTheNextTokenDecides() {
    TextStream s = new TextStream(tokenizer(), List.of("lo wa"));
    assertThat(s.push(HEL)).isEqualTo(" He"); // "l" could begin "lo wa"
    assertThat(s.push(LO)).isEqualTo("l"); // "llo": "lo" could
    assertThat(s.push(WOR)).isEqualTo("lo wor"); // "lo wor" is not "lo wa": released
    assertThat(s.stopped()).isFalse();
    assertThat(s.finish()).isEmpty();
    assertThat(s.text()).isEqualTo(" Hello wor");
  }

  @Test
  void aStopStringSpanningTokensEndsTheTextBeforeIt() {
    TextStream s = new TextStream(tokenizer(), List.of("lo wo"));
    assertThat(pushAll(s, HEL, LO, WOR, LD)).containsExactly(" He", "l", "");
    assertThat(s.stopped()).isTrue();
    assertThat(s.text()).isEqualTo(" Hel");
    assertThat(s.finish()).isEmpty();
    assertThatThrownBy(() -> s.push(DOT)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theEarliestOfSeveralStopStringsWins() {
    TextStream s = new TextStream(tokenizer(), List.of("ld", "wor", "."));
    pushAll(s, HEL, LO, WOR, LD, DOT);
    assertThat(s.text()).isEqualTo(" Hello ");
  }

  @Test
  void aStopStringInsideOneTokenCutsThatToken() {
    TextStream s = new TextStream(tokenizer(), List.of("TO"));
    assertThat(pushAll(s, HEL, 16)).containsExactly(" Hel", " S");
    assertThat(s.text()).isEqualTo(" Hel S");
  }

  @Test
  void withoutAStopTheHeldBackTextIsReleasedAtTheEnd() {
    TextStream s = new TextStream(tokenizer(), List.of("loop"));
    assertThat(pushAll(s, HEL, LO)).containsExactly(" He", "l", "lo");
    assertThat(s.text()).isEqualTo(" Hello");
  }

  @Test
  void emptyStopStringsAreRefused() {
    assertThatThrownBy(() -> new TextStream(tokenizer(), List.of("")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
  }
}
