package org.recycledattention.model.tokenizer;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.recycledattention.model.tokenizer.SpecialTextSplitter.Fragment;

/**
 * Byte-level BPE (GPT-2, Llama 3, Qwen2; GGUF {@code tokenizer.ggml.model = gpt2}): a {@link PreTokenizer}
 * splits the text into words, each word's UTF-8 bytes are spelled with GPT-2's byte-to-unicode characters,
 * and adjacent symbols are merged by merge rank (lowest first, ties: leftmost) until no pair is in the
 * merge list. With {@code ignoreMerges} (Llama 3, Tekken) a word that is itself a vocabulary piece is taken
 * whole.
 *
 * <p>As in llama.cpp, a listed merge applies even when its result is not a vocabulary piece (only the
 * final symbols need to be); a final symbol that is not a piece falls back to the pieces of its single
 * ASCII bytes, and is dropped where there are none.
 *
 * <p>Control, unknown and unused pieces never come out of {@link #encode} (control and unused decode to
 * "", unknown to U+FFFD); {@link TokenType#USER_DEFINED} pieces are matched verbatim in the text first
 * (longest first, as llama.cpp) and decode verbatim.
 *
 * <p>Immutable and thread-safe.
 */
public final class ByteLevelBpeTokenizer extends VocabularyTokenizer {
  private final List<String[]> merges;
  private final PreTokenizer preTokenizer;
  private final boolean ignoreMerges;
  private final boolean nfc;
  /** Pieces that may be produced from text: normal, undefined, byte and user-defined. */
  private final Map<String, Integer> textIds;
  /**
   * The merge symbols: ids below the vocabulary size are the pieces of {@link #textIds}; above it, the
   * strings in the merge list (and byte characters) that are no such piece, spelled in {@link #extraSymbols}.
   */
  private final List<String> extraSymbols;
  /** The symbol of each byte's character. */
  private final int[] byteSymbols;
  /** (left symbol << 32 | right symbol) -> (rank << 32 | merged symbol). */
  private final Map<Long, Long> mergeTable;
  private final SpecialTextSplitter splitter;

  /**
   * @param pieces vocabulary in byte-level spelling, index = id
   * @param types kind of each id
   * @param merges pairs of pieces in rank order (rank 0 merges first); for a pair listed twice the first
   *     rank counts
   * @param preTokenizer word-splitting regex, as Hugging Face reads it (see {@link PreTokenizerPattern})
   * @param ignoreMerges take a word whole when it is a vocabulary piece (Llama 3)
   * @param bos BOS id or -1
   * @param eos EOS id or -1
   * @param stopTokens ids that end generation
   * @param addBos whether prompts conventionally start with BOS
   */
  public ByteLevelBpeTokenizer(List<String> pieces, TokenType[] types, List<String[]> merges, Pattern preTokenizer, boolean ignoreMerges,
      int bos, int eos, int[] stopTokens, boolean addBos) {
    this(pieces, types, merges, preTokenizer, new Options(ignoreMerges, false, false), bos, eos, stopTokens, addBos);
  }

  /**
   * Options beyond the vocabulary.
   *
   * @param ignoreMerges take a word whole when it is a vocabulary piece (Llama 3)
   * @param nfc normalize text to Unicode NFC before encoding (Qwen2's {@code tokenizer.json})
   * @param individualDigits split every digit ({@code \p{N}}) into its own word before the regex
   *     runs on the text between digits (Hugging Face's {@code Digits} pre-tokenizer)
   */
  public record Options(boolean ignoreMerges, boolean nfc, boolean individualDigits) {}

  /** As the other constructors, with a Hugging Face regex and all {@link Options}. */
  public ByteLevelBpeTokenizer(List<String> pieces, TokenType[] types, List<String[]> merges, Pattern preTokenizer, Options options,
      int bos, int eos, int[] stopTokens, boolean addBos) {
    this(pieces, types, merges, new RegexPreTokenizer(requireNonNull(preTokenizer, "preTokenizer is null"),
        requireNonNull(options, "options is null").individualDigits()), options.ignoreMerges(), options.nfc(),
        bos, eos, stopTokens, addBos);
  }

  /**
   * A tokenizer with any {@link PreTokenizer}.
   *
   * @param ignoreMerges take a word whole when it is a vocabulary piece
   * @param nfc normalize text to Unicode NFC before encoding
   */
  public ByteLevelBpeTokenizer(List<String> pieces, TokenType[] types, List<String[]> merges, PreTokenizer preTokenizer,
      boolean ignoreMerges, boolean nfc, int bos, int eos, int[] stopTokens, boolean addBos) {
    super(pieces, types, bos, eos, stopTokens, addBos);
    requireNonNull(merges, "merges is null");
    requireNonNull(preTokenizer, "preTokenizer is null");
    int n = pieces.size();
    this.preTokenizer = preTokenizer;
    this.ignoreMerges = ignoreMerges;
    this.nfc = nfc;
    this.textIds = new HashMap<>(n * 2);
    Map<String, Integer> userDefined = new HashMap<>();
    for (int id = 0; id < n; id++) {
      String p = this.pieces[id];
      switch (this.types[id]) {
        case NORMAL, UNDEFINED, BYTE -> {
          textIds.putIfAbsent(p, id);
          decoded[id] = unmap(p);
        }
        case USER_DEFINED -> {
          textIds.putIfAbsent(p, id);
          userDefined.putIfAbsent(p, id);
          decoded[id] = p.getBytes(StandardCharsets.UTF_8);
        }
        case UNKNOWN -> decoded[id] = "\uFFFD".getBytes(StandardCharsets.UTF_8);
        case CONTROL, UNUSED -> decoded[id] = new byte[0];
      }
    }
    this.splitter = new SpecialTextSplitter(userDefined);
    Map<String, Integer> symbols = new HashMap<>(textIds);
    List<String> extra = new ArrayList<>();
    this.byteSymbols = new int[256];
    for (int b = 0; b < 256; b++) {
      byteSymbols[b] = symbol(String.valueOf(ByteUnicode.toChar(b)), symbols, extra, n);
    }
    List<String[]> kept = new ArrayList<>(merges.size());
    this.mergeTable = new HashMap<>(merges.size() * 2);
    int rank = 0;
    for (String[] m : merges) {
      if (m.length != 2) {
        throw new IllegalArgumentException("a merge needs 2 parts, got " + m.length);
      }
      long key = ((long) symbol(m[0], symbols, extra, n) << 32) | (symbol(m[1], symbols, extra, n) & 0xFFFFFFFFL);
      if (!mergeTable.containsKey(key)) {
        mergeTable.put(key, ((long) rank << 32) | (symbol(m[0] + m[1], symbols, extra, n) & 0xFFFFFFFFL));
      }
      kept.add(new String[] {m[0], m[1]});
      rank++;
    }
    this.merges = List.copyOf(kept);
    this.extraSymbols = List.copyOf(extra);
  }

  /** The symbol of {@code text}: its piece id when it is one, else a new id above the vocabulary. */
  private static int symbol(String text, Map<String, Integer> symbols, List<String> extra, int vocabSize) {
    Integer id = symbols.get(text);
    if (id == null) {
      id = vocabSize + extra.size();
      extra.add(text);
      symbols.put(text, id);
    }
    return id;
  }

  /** Bytes of a piece in byte-level spelling; characters outside the mapping pass as UTF-8. */
  private static byte[] unmap(String piece) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(piece.length());
    for (int i = 0; i < piece.length(); ) {
      int cp = piece.codePointAt(i);
      int b = cp < Character.MIN_SUPPLEMENTARY_CODE_POINT ? ByteUnicode.toByte((char) cp) : -1;
      if (b >= 0) {
        out.write(b);
      } else {
        out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
      }
      i += Character.charCount(cp);
    }
    return out.toByteArray();
  }









  /** Whether text is normalized to NFC before encoding. */
  public boolean nfc() {
    return nfc;
  }


  /** The merge list, in rank order, as (left, right) pairs. */
  public List<String[]> merges() {
    return merges.stream().map(String[]::clone).toList();
  }

  /** How text is split into words. */
  public PreTokenizer preTokenizer() {
    return preTokenizer;
  }

  /** Whether a word that is a vocabulary piece skips the merges. */
  public boolean ignoreMerges() {
    return ignoreMerges;
  }

  @Override
  public int[] encode(String text, boolean withBos) {
    requireNonNull(text, "text is null");
    IntList out = new IntList(text.length() / 3 + 2);
    if (withBos && bos >= 0) {
      out.add(bos);
    }
    String normalized = nfc ? Normalizer.normalize(text, Normalizer.Form.NFC) : text;
    for (Fragment f : splitter.split(wellFormed(normalized))) {
      if (f.id() >= 0) {
        out.add(f.id());
        continue;
      }
      for (String word : preTokenizer.split(f.text())) {
        encodeWord(word, out);
      }
    }
    return out.toArray();
  }

  /** {@code s} with unpaired surrogates (which no UTF-8 text holds) as U+FFFD. */
  private static String wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
      if (Character.isSurrogate(c) && !paired) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> sb.appendCodePoint(cp < 0x10000 && Character.isSurrogate((char) cp) ? 0xFFFD : cp));
        return sb.toString();
      }
      if (Character.isHighSurrogate(c)) {
        i++;
      }
    }
    return s;
  }

  private void encodeWord(String word, IntList out) {
    byte[] utf8 = word.getBytes(StandardCharsets.UTF_8);
    if (ignoreMerges) {
      Integer whole = textIds.get(ByteUnicode.encode(utf8));
      if (whole != null) {
        out.add(whole);
        return;
      }
    }
    int n = utf8.length;
    int[] ids = new int[n];
    int[] prev = new int[n];
    int[] next = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = byteSymbols[utf8[i] & 0xFF];
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    // Candidates: key = (rank asc, left asc), payload = the merged symbol.
    MergeQueue queue = new MergeQueue(n);
    for (int i = 1; i < n; i++) {
      addPair(ids, i - 1, i, queue);
    }
    while (!queue.isEmpty()) {
      long key = queue.topKey();
      int merged = queue.topPayload();
      queue.pop();
      int left = MergeQueue.left(key);
      int right = next[left];
      // Stale unless the pair now at (left, next) is still the pair of this rank.
      if (ids[left] < 0 || right < 0 || rank(ids[left], ids[right]) != (int) (key >>> 32)) {
        continue;
      }
      ids[left] = merged;
      ids[right] = -1; // removed
      next[left] = next[right];
      if (next[right] >= 0) {
        prev[next[right]] = left;
      }
      if (prev[left] >= 0) {
        addPair(ids, prev[left], left, queue);
      }
      if (next[left] >= 0) {
        addPair(ids, left, next[left], queue);
      }
    }
    for (int i = 0; i >= 0; i = next[i]) {
      if (ids[i] < pieces.length) {
        out.add(ids[i]);
        continue;
      }
      // not a piece: the pieces of its single ASCII bytes, as llama.cpp
      for (byte b : extraSymbols.get(ids[i] - pieces.length).getBytes(StandardCharsets.UTF_8)) {
        Integer single = b >= 0 ? textIds.get(String.valueOf((char) b)) : null;
        if (single != null) {
          out.add(single);
        }
      }
    }
  }

  private void addPair(int[] ids, int left, int right, MergeQueue queue) {
    Long entry = mergeTable.get(((long) ids[left] << 32) | (ids[right] & 0xFFFFFFFFL));
    if (entry != null) {
      queue.push(MergeQueue.byRankThenLeft((int) (entry >>> 32), left), (int) (long) entry);
    }
  }

  /** The merge rank of the pair, or -1. */
  private int rank(int leftId, int rightId) {
    Long entry = mergeTable.get(((long) leftId << 32) | (rightId & 0xFFFFFFFFL));
    return entry == null ? -1 : (int) (entry >>> 32);
  }

  @Override
  public String decode(int[] ids) {
    requireNonNull(ids, "ids is null");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length * 4);
    for (int id : ids) {
      bytes.writeBytes(decodedBytes(id));
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }


  @Override
  public StreamingDecoder newDecoder() {
    return new StreamingDecoder() {
      private final Utf8Accumulator utf8 = new Utf8Accumulator();

      @Override
      public String next(int id) {
        return utf8.push(decodedBytes(id));
      }

      @Override
      public String finish() {
        return utf8.finish();
      }
    };
  }

  @Override
  boolean showsBytePieces() {
    return false;
  }

  @Override
  public String toString() {
    return "ByteLevelBpeTokenizer[vocab=" + pieces.length + ", merges=" + merges.size() + ", bos=" + bos + ", eos=" + eos + "]";
  }
}
