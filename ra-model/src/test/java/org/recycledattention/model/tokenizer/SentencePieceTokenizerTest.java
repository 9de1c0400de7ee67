package org.recycledattention.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SentencePieceTokenizerTest {
  static final char S = SentencePieceTokenizer.SPM_SPACE;

  /** A Llama-2-shaped vocabulary: unk, bos, eos, 256 byte pieces, then text pieces with scores. */
  static final class Vocab {
    final List<String> pieces = new ArrayList<>();
    final List<Float> scores = new ArrayList<>();
    final List<TokenType> types = new ArrayList<>();

    Vocab() {
      add("<unk>", 0, TokenType.UNKNOWN);
      add("<s>", 0, TokenType.CONTROL);
      add("</s>", 0, TokenType.CONTROL);
      for (int b = 0; b < 256; b++) {
        add(String.format("<0x%02X>", b), 0, TokenType.BYTE);
      }
    }

    int add(String piece, float score, TokenType type) {
      pieces.add(piece.replace('_', S));
      scores.add(score);
      types.add(type);
      return pieces.size() - 1;
    }

    int add(String piece, float score) {
      return add(piece, score, TokenType.NORMAL);
    }

    int id(String piece) {
      return pieces.indexOf(piece.replace('_', S));
    }

    SentencePieceTokenizer build() {
      float[] s = new float[scores.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = scores.get(i);
      }
      return new SentencePieceTokenizer(pieces, s, types.toArray(TokenType[]::new), 1, 2, new int[] {2}, true, true, S);
    }
  }

  static Vocab helloWorld() {
    Vocab v = new Vocab();
    for (String c : List.of("_", "h", "e", "l", "o", "w", "r", "d", "<", "s", ">", "a", "b", "c")) {
      v.add(c, 0);
    }
    v.add("ll", -1);
    v.add("_h", -2);
    v.add("_w", -3);
    v.add("or", -4);
    v.add("_he", -5);
    v.add("llo", -6);
    v.add("_hello", -7);
    v.add("_wor", -8);
    v.add("ld", -9);
    v.add("_world", -10);
    v.add("<s", -11);
    return v;
  }

  @Test
  void mergesByScoreIntoWholeWords() {
    Vocab v = helloWorld();
    SentencePieceTokenizer tok = v.build();
    // "hello world" -> "_hello_world"; merges ll, _h, _w, or, _he, llo, _hello, _wor, ld, _world (worked out by hand).
    assertThat(tok.encode("hello world", false)).containsExactly(v.id("_hello"), v.id("_world"));
    assertThat(tok.encode("hello world", true)).containsExactly(1, v.id("_hello"), v.id("_world"));
    assertThat(tok.decode(tok.encode("hello world", true))).isEqualTo("hello world");
  }

  @Test
  void highestScoreWinsAndTiesGoLeft() {
    Vocab first = helloWorld();
    int ab = first.add("ab", -20);
    first.add("bc", -30);
    assertThat(first.build().encode("abc", false)).containsExactly(first.id("_"), ab, first.id("c"));

    Vocab second = helloWorld();
    second.add("ab", -30);
    int bc = second.add("bc", -20);
    assertThat(second.build().encode("abc", false)).containsExactly(second.id("_"), second.id("a"), bc);

    Vocab ties = helloWorld();
    int aa = ties.add("aa", -20);
    assertThat(ties.build().encode("aaa", false)).containsExactly(ties.id("_"), aa, ties.id("a"));
  }

  @Test
  void unknownCharactersFallBackToBytes() {
    Vocab v = helloWorld();
    SentencePieceTokenizer tok = v.build();
    // "hé" -> "_hé": "_h" merges, é (C3 A9) is not a piece.
    assertThat(tok.encode("hé", false)).containsExactly(v.id("_h"), 3 + 0xC3, 3 + 0xA9);
    // 😀 is one code point (a surrogate pair in Java) -> its 4 UTF-8 bytes.
    assertThat(tok.encode("😀", false)).containsExactly(v.id("_"), 3 + 0xF0, 3 + 0x9F, 3 + 0x98, 3 + 0x80);
    assertThat(tok.decode(tok.encode("hé 😀\n", true))).isEqualTo("hé 😀\n");
  }

  @Test
  void plainTextNeverBecomesAControlToken() {
    Vocab v = helloWorld();
    SentencePieceTokenizer tok = v.build();
    int[] ids = tok.encode("<s></s>", false);
    assertThat(ids).doesNotContain(0, 1, 2);
    assertThat(ids).startsWith(v.id("_"), v.id("<s"), v.id(">"));
    assertThat(tok.decode(ids)).isEqualTo("<s></s>");
    assertThat(tok.decode(new int[] {1, v.id("_hello"), 2})).isEqualTo("hello");
    assertThat(tok.isControl(1)).isTrue();
    assertThat(tok.isControl(v.id("_hello"))).isFalse();
  }

  @Test
  void emptyTextIsEmpty() {
    SentencePieceTokenizer tok = helloWorld().build();
    assertThat(tok.encode("", false)).isEmpty();
    assertThat(tok.encode("", true)).containsExactly(1);
    assertThat(tok.decode(new int[0])).isEmpty();
  }

  @Test
  void leadingSpacesSurviveTheRoundTrip() {
    SentencePieceTokenizer tok = helloWorld().build();
    for (String s : List.of(" hello", "  hello  ", "hello ", " ", "\thello")) {
      assertThat(tok.decode(tok.encode(s, true))).as("'%s' with BOS", s).isEqualTo(s);
      assertThat(tok.decode(tok.encode(s, false))).as("'%s'", s).isEqualTo(s);
    }
  }

  @Test
  void randomTextRoundTrips() {
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    SentencePieceTokenizer tok = helloWorld().build();
    String[] alphabet = {"h", "e", "l", "o", " ", "w", "r", "d", "a", "b", "c", "é", "ß", "日本", "😀", "👍🏽", "\n", "\t", "<s>", "x"};
    for (int i = 0; i < 300; i++) {
      StringBuilder sb = new StringBuilder();
      int len = rnd.nextInt(20);
      for (int j = 0; j < len; j++) {
        sb.append(alphabet[rnd.nextInt(alphabet.length)]);
      }
      String s = sb.toString();
      boolean bos = rnd.nextBoolean();
      int[] ids = tok.encode(s, bos);
      assertThat(tok.decode(ids)).as("seed %d, text '%s'", seed, s).isEqualTo(s);
      // the streaming decoder continues a text: without BOS the dummy-prefix space stays
      assertThat(streamed(tok, ids)).as("seed %d, streamed '%s'", seed, s).isEqualTo(bos || s.isEmpty() ? s : " " + s);
    }
  }

  static String streamed(Tokenizer tok, int[] ids) {
    Tokenizer.StreamingDecoder d = tok.newDecoder();
    StringBuilder sb = new StringBuilder();
    for (int id : ids) {
      String part = d.next(id);
      assertThat(part.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF)).as("no split surrogate pair in '%s'", part).isTrue();
      assertThat(part).doesNotContain("\uFFFD");
      sb.append(part);
    }
    return sb.append(d.finish()).toString();
  }

  @Test
  void streamingHoldsBackSplitCharacters() {
    SentencePieceTokenizer tok = helloWorld().build();
    Tokenizer.StreamingDecoder d = tok.newDecoder();
    List<String> parts = IntStream.of(1, 3 + 0xF0, 3 + 0x9F, 3 + 0x98, 3 + 0x80, 3 + 0xC3, 3 + 0xA9).mapToObj(d::next).toList();
    assertThat(parts).containsExactly("", "", "", "", "😀", "", "é");
    assertThat(d.finish()).isEmpty();
  }

  @Test
  void streamingReportsBrokenBytesAsReplacementCharacters() {
    SentencePieceTokenizer tok = helloWorld().build();
    Tokenizer.StreamingDecoder d = tok.newDecoder();
    assertThat(d.next(3 + 0xE2)).isEmpty();
    assertThat(d.next(3 + 'A')).isEqualTo("\uFFFDA"); // E2 41 is malformed: the E2 alone is replaced
    assertThat(d.next(3 + 0xE2)).isEmpty();
    assertThat(d.finish()).isEqualTo("\uFFFD"); // incomplete at the end
    assertThat(tok.decode(new int[] {3 + 0xFF, 3 + 'b'})).isEqualTo("\uFFFDb");
  }

  @Test
  void streamingDropsTheDummyPrefixOnlyAfterBos() {
    Vocab v = helloWorld();
    SentencePieceTokenizer tok = v.build();
    Tokenizer.StreamingDecoder afterBos = tok.newDecoder();
    assertThat(afterBos.next(1) + afterBos.next(v.id("_hello")) + afterBos.next(v.id("_world"))).isEqualTo("hello world");
    Tokenizer.StreamingDecoder continuing = tok.newDecoder();
    assertThat(continuing.next(v.id("_world"))).isEqualTo(" world");
  }

  @Test
  void userDefinedPiecesMatchVerbatim() {
    Vocab v = helloWorld();
    int tag = v.add("<tag>", 0, TokenType.USER_DEFINED);
    SentencePieceTokenizer tok = v.build();
    int[] ids = tok.encode("hello<tag>world", true);
    assertThat(ids).contains(tag);
    assertThat(tok.decode(ids)).isEqualTo("hello<tag>world");
  }
}
