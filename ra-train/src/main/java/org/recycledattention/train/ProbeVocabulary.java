package org.recycledattention.train;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.recycledattention.eval.ruler.RulerGenerator;
import org.recycledattention.model.tokenizer.SentencePieceTokenizer;
import org.recycledattention.model.tokenizer.TokenType;

/**
 * The probe model's vocabulary: SentencePiece-style ({@code tokenizer.ggml.model = llama}) with
 * <ul>
 *   <li>ids 0..2: {@code <unk>}, {@code <s>}, {@code </s>};
 *   <li>ids 3..258: byte fallback {@code <0x00>}..{@code <0xFF>};
 *   <li>every printable ASCII character, newline and the space marker {@code ▁};
 *   <li>every word of the task templates, with and without a leading {@code ▁}, through all of its
 *       prefixes (the SentencePiece merge algorithm builds a word only through pieces that exist);
 *   <li>every pair of digits, also with a leading {@code ▁}, so " 1234567" is four tokens,
 *       {@code ▁12 34 56 7}.
 * </ul>
 * Scores are the piece length, so longer merges win.
 *
 * <p>Why digit chunks: a small model copies a value token by token with an induction head (attend
 * to the token after the previous occurrence of the current token). Seven single digits repeat a
 * digit in most values, which sends that head to the wrong place; pairs rarely repeat within a
 * value. (Three-digit chunks repeat even less, but each of the thousand is then seen too rarely in
 * training to be learnt.)
 *
 * <p>Why the space goes with the first pair: with {@code ▁} a token of its own, the prompt's last
 * token predicts only that space, and the needle is first needed one step later. Recycled Attention
 * and SnapKV select their cache from the attention of the prompt's last token, which then does not
 * look at the needle: a model trained that way answered 100% of {@code niah_single} at 512 tokens
 * with full attention and 0% with recycled at K = 64, even at stride 2. Llama's tokenizers have
 * {@code ▁1}-style pieces, so the first value token is retrieved at the last prompt position.
 */
public final class ProbeVocabulary {
  private final List<String> pieces;
  private final float[] scores;
  private final TokenType[] types;

  private ProbeVocabulary(List<String> pieces, float[] scores, TokenType[] types) {
    this.pieces = List.copyOf(pieces);
    this.scores = scores;
    this.types = types;
  }

  /** The vocabulary covering {@link RulerGenerator#templateText()}. */
  public static ProbeVocabulary build() {
    Set<String> ordered = new LinkedHashSet<>();
    List<TokenType> types = new ArrayList<>();
    List<String> pieces = new ArrayList<>();
    add(pieces, types, ordered, "<unk>", TokenType.UNKNOWN);
    add(pieces, types, ordered, "<s>", TokenType.CONTROL);
    add(pieces, types, ordered, "</s>", TokenType.CONTROL);
    for (int b = 0; b < 256; b++) {
      add(pieces, types, ordered, String.format("<0x%02X>", b), TokenType.BYTE);
    }
    add(pieces, types, ordered, String.valueOf(SentencePieceTokenizer.SPM_SPACE), TokenType.NORMAL);
    add(pieces, types, ordered, "\n", TokenType.NORMAL);
    for (char c = 33; c < 127; c++) {
      add(pieces, types, ordered, String.valueOf(c), TokenType.NORMAL);
    }
    Set<String> words = new TreeSet<>();
    for (String w : RulerGenerator.templateText().split("[^A-Za-z]+")) {
      if (w.length() >= 2) {
        words.add(w);
      }
    }
    for (String w : words) {
      String marked = SentencePieceTokenizer.SPM_SPACE + w;
      for (int end = 2; end <= marked.length(); end++) {
        add(pieces, types, ordered, marked.substring(0, end), TokenType.NORMAL);
      }
      for (int end = 2; end <= w.length(); end++) {
        add(pieces, types, ordered, w.substring(0, end), TokenType.NORMAL);
      }
    }
    for (int n = 0; n < 100; n++) {
      add(pieces, types, ordered, String.format("%02d", n), TokenType.NORMAL);
    }
    // a value's first token carries the space, as in Llama's tokenizers: the token that must be
    // retrieved is then predicted at the prompt's last position (see the class comment)
    for (int n = 0; n < 10; n++) {
      add(pieces, types, ordered, SentencePieceTokenizer.SPM_SPACE + Integer.toString(n), TokenType.NORMAL);
    }
    for (int n = 0; n < 100; n++) {
      add(pieces, types, ordered, SentencePieceTokenizer.SPM_SPACE + String.format("%02d", n), TokenType.NORMAL);
    }
    float[] scores = new float[pieces.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = types.get(i) == TokenType.NORMAL ? pieces.get(i).length() : 0;
    }
    return new ProbeVocabulary(pieces, scores, types.toArray(TokenType[]::new));
  }

  private static void add(List<String> pieces, List<TokenType> types, Set<String> seen, String piece, TokenType type) {
    if (seen.add(piece)) {
      pieces.add(piece);
      types.add(type);
    }
  }

  public int size() {
    return pieces.size();
  }

  public List<String> pieces() {
    return pieces;
  }

  public float[] scores() {
    return scores.clone();
  }

  public TokenType[] types() {
    return types.clone();
  }

  /** The tokenizer: BOS 1, EOS 2, BOS added, a space prefix as SentencePiece does. */
  public SentencePieceTokenizer tokenizer() {
    return new SentencePieceTokenizer(pieces, scores, types, 1, 2, new int[] {2}, true, true, SentencePieceTokenizer.SPM_SPACE);
  }
}
