package org.recycledattention.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The heap-based merge loops give what the plain O(n²) loops give (llama2.c's {@code encode} for
 * scores: rescan, merge the best pair, leftmost on ties; GPT-2's {@code bpe} for ranks), on random
 * vocabularies with many tied scores.
 */
class MergeOrderPropertyTest {
  static final char S = SentencePieceTokenizer.SPM_SPACE;

  @Test
  void sentencePieceMatchesTheQuadraticLoop() {
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    for (int trial = 0; trial < 60; trial++) {
      SentencePieceTokenizerTest.Vocab v = new SentencePieceTokenizerTest.Vocab();
      String alphabet = "ab_c";
      for (char c : alphabet.toCharArray()) {
        v.add(String.valueOf(c), 0);
      }
      Map<String, Float> scoreOf = new HashMap<>();
      for (int i = 0; i < 40; i++) {
        StringBuilder p = new StringBuilder();
        for (int k = 2 + rnd.nextInt(4); k > 0; k--) {
          p.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        String piece = p.toString().replace('_', S);
        if (!scoreOf.containsKey(piece) && v.id(piece) < 0) {
          float score = -rnd.nextInt(6); // many ties
          scoreOf.put(piece, score);
          v.add(piece, score);
        }
      }
      SentencePieceTokenizer tok = v.build();
      for (int t = 0; t < 20; t++) {
        StringBuilder text = new StringBuilder();
        for (int k = rnd.nextInt(30); k > 0; k--) {
          text.append("ab c".charAt(rnd.nextInt(4)));
        }
        if (rnd.nextInt(5) == 0) {
          text.append("é");
        }
        String s = text.toString();
        assertThat(tok.encode(s, false)).as("seed %d, trial %d, text '%s'", seed, trial, s).containsExactly(naiveSpm(v, s));
      }
    }
  }

  /** llama2.c's loop over symbols (strings), then pieces or byte fallback. */
  static int[] naiveSpm(SentencePieceTokenizerTest.Vocab v, String text) {
    if (text.isEmpty()) {
      return new int[0];
    }
    String norm = (" " + text).replace(' ', S);
    List<String> syms = new ArrayList<>();
    norm.codePoints().forEach(cp -> syms.add(new String(Character.toChars(cp))));
    while (true) {
      float best = Float.NEGATIVE_INFINITY;
      int at = -1;
      for (int i = 0; i + 1 < syms.size(); i++) {
        int id = v.pieces.indexOf(syms.get(i) + syms.get(i + 1));
        if (id >= 0 && v.types.get(id) == TokenType.NORMAL && v.scores.get(id) > best) {
          best = v.scores.get(id);
          at = i;
        }
      }
      if (at < 0) {
        break;
      }
      syms.set(at, syms.get(at) + syms.remove(at + 1));
    }
    List<Integer> ids = new ArrayList<>();
    for (String sym : syms) {
      int id = v.pieces.indexOf(sym);
      if (id >= 0 && v.types.get(id) == TokenType.NORMAL) {
        ids.add(id);
      } else {
        for (byte b : sym.getBytes(StandardCharsets.UTF_8)) {
          ids.add(3 + (b & 0xFF));
        }
      }
    }
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  @Test
  void byteLevelBpeMatchesTheQuadraticLoop() {
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    for (int trial = 0; trial < 60; trial++) {
      ByteLevelBpeTokenizerTest.Vocab v = new ByteLevelBpeTokenizerTest.Vocab();
      List<String> symbols = new ArrayList<>(List.of("a", "b", "c", "Ġ"));
      for (int i = 0; i < 30; i++) {
        String l = symbols.get(rnd.nextInt(symbols.size()));
        String r = symbols.get(rnd.nextInt(symbols.size()));
        if (v.id(l + r) < 0) {
          v.merge(l, r);
          symbols.add(l + r);
        }
      }
      ByteLevelBpeTokenizer tok = v.build(PreTokenizerPattern.GPT2, false);
      for (int t = 0; t < 20; t++) {
        StringBuilder text = new StringBuilder();
        for (int k = rnd.nextInt(30); k > 0; k--) {
          text.append("abc  ".charAt(rnd.nextInt(5)));
        }
        String s = text.toString();
        List<Integer> expected = new ArrayList<>();
        for (String word : ByteLevelBpeTokenizerTest.split(PreTokenizerPattern.GPT2, s)) {
          for (int id : naiveBpe(v, ByteUnicode.encode(word.getBytes(StandardCharsets.UTF_8)))) {
            expected.add(id);
          }
        }
        assertThat(tok.encode(s, false)).as("seed %d, trial %d, text '%s'", seed, trial, s)
            .containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
      }
    }
  }

  /** GPT-2's loop: merge the lowest-ranked adjacent pair (leftmost first) until none is in the merge list. */
  static int[] naiveBpe(ByteLevelBpeTokenizerTest.Vocab v, String mapped) {
    List<String> syms = new ArrayList<>();
    for (char c : mapped.toCharArray()) {
      syms.add(String.valueOf(c));
    }
    while (true) {
      int bestRank = Integer.MAX_VALUE;
      int at = -1;
      for (int i = 0; i + 1 < syms.size(); i++) {
        for (int r = 0; r < v.merges.size() && r < bestRank; r++) {
          if (v.merges.get(r)[0].equals(syms.get(i)) && v.merges.get(r)[1].equals(syms.get(i + 1))) {
            bestRank = r;
            at = i;
          }
        }
      }
      if (at < 0) {
        break;
      }
      syms.set(at, syms.get(at) + syms.remove(at + 1));
    }
    return syms.stream().mapToInt(v::id).toArray();
  }
}
