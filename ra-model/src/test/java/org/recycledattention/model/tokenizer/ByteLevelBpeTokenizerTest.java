package org.recycledattention.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

class ByteLevelBpeTokenizerTest {
  /** ids 0..255: the 256 byte characters (id b = byte b); then merge results; then specials. */
  static final class Vocab {
    final List<String> pieces = new ArrayList<>();
    final List<TokenType> types = new ArrayList<>();
    final List<String[]> merges = new ArrayList<>();

    Vocab() {
      for (int b = 0; b < 256; b++) {
        pieces.add(String.valueOf(ByteUnicode.toChar(b)));
        types.add(TokenType.NORMAL);
      }
    }

    /** Adds merge "a b" (rank = order of calls) and its result piece. */
    int merge(String a, String b) {
      merges.add(new String[] {a, b});
      pieces.add(a + b);
      types.add(TokenType.NORMAL);
      return pieces.size() - 1;
    }

    int special(String piece, TokenType type) {
      pieces.add(piece);
      types.add(type);
      return pieces.size() - 1;
    }

    int id(String piece) {
      return pieces.indexOf(piece);
    }

    ByteLevelBpeTokenizer build(PreTokenizerPattern pattern, boolean ignoreMerges) {
      int bos = id("<|begin|>");
      int eos = id("<|end|>");
      return new ByteLevelBpeTokenizer(pieces, types.toArray(TokenType[]::new), merges, pattern.pattern(), ignoreMerges, bos, eos,
          eos >= 0 ? new int[] {eos} : new int[0], true);
    }
  }

  static Vocab helloWorld() {
    Vocab v = new Vocab();
    v.merge("h", "e");
    v.merge("l", "l");
    v.merge("he", "ll");
    v.merge("hell", "o");
    v.merge("Ġ", "w");
    v.merge("o", "r");
    v.merge("Ġw", "or");
    v.merge("l", "d");
    v.merge("Ġwor", "ld");
    v.special("<|begin|>", TokenType.CONTROL);
    v.special("<|end|>", TokenType.CONTROL);
    return v;
  }

  @Test
  void byteToUnicodeMappingIsGpt2s() {
    assertThat(ByteUnicode.toChar(' ')).isEqualTo('Ġ');
    assertThat(ByteUnicode.toChar('\n')).isEqualTo('Ċ');
    assertThat(ByteUnicode.toChar('A')).isEqualTo('A');
    assertThat(ByteUnicode.toChar(0xAD)).isEqualTo('\u0143'); // the one gap inside Latin-1 (soft hyphen)
    for (int b = 0; b < 256; b++) {
      assertThat(ByteUnicode.toByte(ByteUnicode.toChar(b))).isEqualTo(b);
    }
  }

  @Test
  void mergesByRankIntoWholeWords() {
    Vocab v = helloWorld();
    ByteLevelBpeTokenizer tok = v.build(PreTokenizerPattern.LLAMA3, false);
    assertThat(tok.encode("hello world", false)).containsExactly(v.id("hello"), v.id("Ġworld"));
    assertThat(tok.encode("hello world", true)).containsExactly(v.id("<|begin|>"), v.id("hello"), v.id("Ġworld"));
    assertThat(tok.decode(tok.encode("hello world", true))).isEqualTo("hello world");
    // " hello" is one word ([^\r\n\p{L}\p{N}]?\p{L}+), but no merge joins Ġ and h, so it stays Ġ + hello.
    assertThat(tok.encode(" hello", false)).containsExactly(' ', v.id("hello"));
  }

  @Test
  void lowerRankWinsAndTiesGoLeft() {
    Vocab first = new Vocab();
    first.merge("b", "c");
    first.merge("a", "b");
    assertThat(first.build(PreTokenizerPattern.LLAMA3, false).encode("abc", false)).containsExactly('a', first.id("bc"));
    Vocab second = new Vocab();
    second.merge("a", "b");
    second.merge("b", "c");
    assertThat(second.build(PreTokenizerPattern.LLAMA3, false).encode("abc", false)).containsExactly(second.id("ab"), 'c');
    Vocab ties = new Vocab();
    ties.merge("a", "a");
    assertThat(ties.build(PreTokenizerPattern.LLAMA3, false).encode("aaa", false)).containsExactly(ties.id("aa"), 'a');
  }

  @Test
  void ignoreMergesTakesVocabularyWordsWhole() {
    Vocab v = new Vocab();
    v.merge("a", "b");
    int bc = v.merge("b", "c");
    v.special("abc", TokenType.NORMAL); // reachable only as a whole word: no merge builds it
    int abc = v.id("abc");
    assertThat(v.build(PreTokenizerPattern.LLAMA3, false).encode("abc", false)).containsExactly(v.id("ab"), 'c');
    assertThat(v.build(PreTokenizerPattern.LLAMA3, true).encode("abc", false)).containsExactly(abc);
    assertThat(v.build(PreTokenizerPattern.LLAMA3, true).encode("xbc", false)).containsExactly('x', bc);
  }

  @Test
  void controlTokensNeverComeFromText() {
    Vocab v = helloWorld();
    ByteLevelBpeTokenizer tok = v.build(PreTokenizerPattern.LLAMA3, true);
    int[] ids = tok.encode("<|end|>", false);
    assertThat(ids).doesNotContain(v.id("<|end|>"), v.id("<|begin|>"));
    assertThat(tok.decode(ids)).isEqualTo("<|end|>");
    assertThat(tok.decode(new int[] {v.id("<|begin|>"), v.id("hello"), v.id("<|end|>")})).isEqualTo("hello");
    assertThat(tok.stopTokens()).containsExactly(v.id("<|end|>"));
  }

  @Test
  void userDefinedTokensMatchVerbatim() {
    Vocab v = helloWorld();
    int tool = v.special("<tool>", TokenType.USER_DEFINED);
    ByteLevelBpeTokenizer tok = v.build(PreTokenizerPattern.QWEN2, false);
    assertThat(tok.encode("x<tool>hello", false)).containsExactly('x', tool, v.id("hello"));
    assertThat(tok.decode(new int[] {'x', tool})).isEqualTo("x<tool>");
  }

  @Test
  void randomTextRoundTripsAndStreams() {
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    ByteLevelBpeTokenizer tok = helloWorld().build(PreTokenizerPattern.LLAMA3, true);
    String[] alphabet = {"hello", " world", " ", "  ", "\n", "\r\n", "é", "日本語", "😀", "👍🏽", "123456", "'s", "I'M", "!?", "\t", "\u3000", "<|end|>"};
    for (int i = 0; i < 300; i++) {
      StringBuilder sb = new StringBuilder();
      int len = rnd.nextInt(12);
      for (int j = 0; j < len; j++) {
        sb.append(alphabet[rnd.nextInt(alphabet.length)]);
      }
      String s = sb.toString();
      int[] ids = tok.encode(s, true);
      assertThat(tok.decode(ids)).as("seed %d, '%s'", seed, s).isEqualTo(s);
      assertThat(SentencePieceTokenizerTest.streamed(tok, ids)).as("seed %d, streamed '%s'", seed, s).isEqualTo(s);
    }
  }

  @Test
  void streamingHoldsBackCharactersSplitAcrossByteTokens() {
    ByteLevelBpeTokenizer tok = helloWorld().build(PreTokenizerPattern.LLAMA3, false);
    int[] ids = tok.encode("é😀", false);
    byte[] utf8 = "é😀".getBytes(StandardCharsets.UTF_8);
    assertThat(ids).hasSize(utf8.length); // no merges for these bytes: one token per byte
    Tokenizer.StreamingDecoder d = tok.newDecoder();
    List<String> parts = new ArrayList<>();
    for (int id : ids) {
      parts.add(d.next(id));
    }
    assertThat(parts).containsExactly("", "é", "", "", "", "😀");
  }

  static List<String> split(PreTokenizerPattern p, String s) {
    List<String> out = new ArrayList<>();
    Matcher m = p.pattern().matcher(s);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  @Test
  void preTokenizerRegexesSplitLikeThePythonOriginals() {
    // Expected splits worked out from the regexes (and checked with Python's `regex` module).
    assertThat(split(PreTokenizerPattern.LLAMA3, "I'M 12345 apples!!\n\n   ok"))
        .containsExactly("I", "'M", " ", "123", "45", " apples", "!!\n\n", "  ", " ok");
    assertThat(split(PreTokenizerPattern.QWEN2, "I'M 12345 apples!!\n\n   ok"))
        .containsExactly("I", "'M", " ", "1", "2", "3", "4", "5", " apples", "!!\n\n", "  ", " ok");
    assertThat(split(PreTokenizerPattern.LLAMA3, "héllo wörld 😀😀 x\u3000y"))
        .containsExactly("héllo", " wörld", " 😀😀", " x", "\u3000y");
    assertThat(split(PreTokenizerPattern.LLAMA3, "  a\tb\r\n")).containsExactly(" ", " a", "\tb", "\r\n");
    assertThat(split(PreTokenizerPattern.LLAMA3, "don't DON'T 3.14")).containsExactly("don", "'t", " DON", "'T", " ", "3", ".", "14");
    assertThat(split(PreTokenizerPattern.GPT2, "don't  stop 42!")).containsExactly("don", "'t", " ", " stop", " 42", "!");
  }

  @Test
  void listedMergesApplyEvenWhenTheirResultIsNoPieceAsInLlamaCpp() {
    Vocab v = new Vocab();
    v.merges.add(new String[] {"a", "b"}); // "ab" is no piece, but a step towards "abc"
    int abc = v.merge("ab", "c");
    assertThat(v.build(PreTokenizerPattern.GPT2, false).encode("abc", false)).containsExactly(abc);
    // a final "ab" that is no piece falls back to the pieces of its single bytes
    assertThat(v.build(PreTokenizerPattern.GPT2, false).encode("ab", false)).containsExactly((int) 'a', (int) 'b');
  }

  @Test
  void userDefinedTokensAreCutLongestFirstAsInLlamaCpp() {
    Vocab v = helloWorld();
    int ab = v.special("ab", TokenType.USER_DEFINED);
    int bcd = v.special("bcd", TokenType.USER_DEFINED);
    // "bcd" is cut first (longest), so "ab" no longer matches, though it starts earlier
    assertThat(v.build(PreTokenizerPattern.GPT2, false).encode("abcd", false)).containsExactly((int) 'a', bcd);
    assertThat(v.build(PreTokenizerPattern.GPT2, false).encode("abab", false)).containsExactly(ab, ab);
  }

  @Test
  void unpairedSurrogatesEncodeAsReplacementCharacters() {
    ByteLevelBpeTokenizer tok = helloWorld().build(PreTokenizerPattern.LLAMA3, true);
    assertThat(tok.encode("a\uD800b\uDC00", false)).containsExactly(tok.encode("a\uFFFDb\uFFFD", false));
    assertThat(tok.decode(tok.encode("x\uD83D", false))).isEqualTo("x\uFFFD");
    assertThat(tok.decode(tok.encode("\uD83D\uDE00", false))).isEqualTo("\uD83D\uDE00");
  }

  @Test
  void ggufPreNamesChooseLlamaCppsPreTokenizer() {
    assertThat(LlamaPreTokenizer.forName("qwen2")).hasValue(LlamaPreTokenizer.QWEN2);
    assertThat(LlamaPreTokenizer.forName("deepseek-r1-qwen")).hasValue(LlamaPreTokenizer.QWEN2);
    assertThat(LlamaPreTokenizer.forName("llama-bpe")).hasValue(LlamaPreTokenizer.LLAMA3);
    assertThat(LlamaPreTokenizer.forName("falcon3")).hasValue(LlamaPreTokenizer.LLAMA3);
    assertThat(LlamaPreTokenizer.forName("roberta-bpe")).hasValue(LlamaPreTokenizer.GPT2);
    // absent or empty: llama.cpp's "default" (with a warning there), not Llama 3
    assertThat(LlamaPreTokenizer.forName(null)).hasValue(LlamaPreTokenizer.DEFAULT);
    assertThat(LlamaPreTokenizer.forName("")).hasValue(LlamaPreTokenizer.DEFAULT);
    // llama.cpp spells GPT-2's "gpt-2", and names are case-sensitive
    assertThat(LlamaPreTokenizer.forName("gpt2")).isEmpty();
    assertThat(LlamaPreTokenizer.forName("Qwen2")).isEmpty();
    assertThat(LlamaPreTokenizer.supportedNames()).contains("chameleon", "deepseek-v3", "gpt-2", "minerva-7b", "tekken");
  }
}
