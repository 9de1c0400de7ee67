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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.recycledattention.model.tokenizer.SpecialTextSplitter.Fragment;

/**
 * Byte-level BPE (GPT-2, Llama 3, Qwen2; GGUF {@code tokenizer.ggml.model = gpt2}): the text is
 * split into words by a pre-tokenizer regex, each word's UTF-8 bytes are spelled with GPT-2's
 * byte-to-unicode characters, and adjacent symbols are merged by merge rank (lowest first, ties:
 * leftmost) until no pair is in the merge list. With {@code ignoreMerges} (Llama 3) a word that
 * is itself a vocabulary piece is taken whole.
 *
 * <p>Control and unused pieces never come out of {@link #encode} and decode to "";
 * {@link TokenType#USER_DEFINED} pieces are matched verbatim in the text and decode verbatim.
 *
 * <p>Immutable and thread-safe.
 */
public final class ByteLevelBpeTokenizer implements Tokenizer {
  private final String[] pieces;
  private final TokenType[] types;
  private final List<String[]> merges;
  private final Pattern preTokenizer;
  private final boolean ignoreMerges;
  private final int bos;
  private final int eos;
  private final int unk;
  private final int[] stopTokens;
  private final boolean addBos;
  private final boolean nfc;
  private final boolean individualDigits;
  /** Every piece, first id wins (for {@link #find}). */
  private final Map<String, Integer> allIds;
  /** Pieces that may be produced from text. */
  private final Map<String, Integer> textIds;
  /** (left id << 32 | right id) -> (rank << 32 | merged id). */
  private final Map<Long, Long> mergeTable;
  private final byte[][] decoded;
  private final SpecialTextSplitter splitter;

  /**
   * @param pieces vocabulary in byte-level spelling, index = id
   * @param types kind of each id
   * @param merges pairs of pieces in rank order (rank 0 merges first); pairs whose parts or
   *     result are not in the vocabulary are ignored
   * @param preTokenizer word-splitting regex (see {@link PreTokenizerPattern})
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
   *     runs on the text between digits (Hugging Face's {@code Digits} pre-tokenizer, llama.cpp's
   *     {@code smollm} pre-tokenizer)
   */
  public record Options(boolean ignoreMerges, boolean nfc, boolean individualDigits) {}

  /** As the other constructor, with all {@link Options}. */
  public ByteLevelBpeTokenizer(List<String> pieces, TokenType[] types, List<String[]> merges, Pattern preTokenizer, Options options,
      int bos, int eos, int[] stopTokens, boolean addBos) {
    requireNonNull(options, "options is null");
    this.nfc = options.nfc();
    this.individualDigits = options.individualDigits();
    boolean ignoreMerges = options.ignoreMerges();
    requireNonNull(pieces, "pieces is null");
    requireNonNull(types, "types is null");
    requireNonNull(merges, "merges is null");
    requireNonNull(preTokenizer, "preTokenizer is null");
    requireNonNull(stopTokens, "stopTokens is null");
    int n = pieces.size();
    if (n == 0 || types.length != n) {
      throw new IllegalArgumentException("vocabulary of " + n + " pieces needs as many types (" + types.length + ")");
    }
    for (int id : new int[] {bos, eos}) {
      if (id < -1 || id >= n) {
        throw new IllegalArgumentException("special id " + id + " is outside the vocabulary of " + n);
      }
    }
    for (int id : stopTokens) {
      if (id < 0 || id >= n) {
        throw new IllegalArgumentException("stop token " + id + " is outside the vocabulary of " + n);
      }
    }
    this.pieces = pieces.toArray(String[]::new);
    this.types = types.clone();
    this.preTokenizer = preTokenizer;
    this.ignoreMerges = ignoreMerges;
    this.bos = bos;
    this.eos = eos;
    this.stopTokens = stopTokens.clone();
    this.addBos = addBos;
    this.textIds = new HashMap<>(n * 2);
    this.allIds = new HashMap<>(n * 2);
    this.decoded = new byte[n][];
    Map<String, Integer> userDefined = new HashMap<>();
    int unknown = -1;
    for (int id = 0; id < n; id++) {
      String p = requireNonNull(this.pieces[id], "piece is null");
      allIds.putIfAbsent(p, id);
      switch (requireNonNull(this.types[id], "token type is null")) {
        case NORMAL, UNDEFINED, BYTE -> {
          textIds.putIfAbsent(p, id);
          decoded[id] = unmap(p);
        }
        case USER_DEFINED -> {
          userDefined.putIfAbsent(p, id);
          decoded[id] = p.getBytes(StandardCharsets.UTF_8);
        }
        case UNKNOWN -> {
          if (unknown < 0) {
            unknown = id;
          }
          decoded[id] = "\uFFFD".getBytes(StandardCharsets.UTF_8);
        }
        case CONTROL, UNUSED -> decoded[id] = new byte[0];
      }
    }
    this.unk = unknown;
    this.splitter = new SpecialTextSplitter(userDefined);
    List<String[]> kept = new ArrayList<>(merges.size());
    this.mergeTable = new HashMap<>(merges.size() * 2);
    int rank = 0;
    for (String[] m : merges) {
      if (m.length != 2) {
        throw new IllegalArgumentException("a merge needs 2 parts, got " + m.length);
      }
      Integer left = textIds.get(m[0]);
      Integer right = textIds.get(m[1]);
      Integer merged = textIds.get(m[0] + m[1]);
      if (left != null && right != null && merged != null) {
        long key = ((long) left << 32) | (right & 0xFFFFFFFFL);
        if (!mergeTable.containsKey(key)) {
          mergeTable.put(key, ((long) rank << 32) | (merged & 0xFFFFFFFFL));
        }
      }
      kept.add(new String[] {m[0], m[1]});
      rank++;
    }
    this.merges = List.copyOf(kept);
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

  @Override
  public int vocabSize() {
    return pieces.length;
  }

  @Override
  public int bos() {
    return bos;
  }

  @Override
  public int eos() {
    return eos;
  }

  @Override
  public String piece(int id) {
    return pieces[id];
  }

  @Override
  public TokenType tokenType(int id) {
    return types[id];
  }

  @Override
  public boolean addBosByDefault() {
    return addBos && bos >= 0;
  }

  @Override
  public OptionalInt find(String piece) {
    Integer id = allIds.get(piece);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /** Whether text is normalized to NFC before encoding. */
  public boolean nfc() {
    return nfc;
  }

  /** Whether every digit is its own word. */
  public boolean individualDigits() {
    return individualDigits;
  }

  @Override
  public int[] stopTokens() {
    return stopTokens.clone();
  }

  /** The merge list, in rank order, as (left, right) pairs. */
  public List<String[]> merges() {
    return merges.stream().map(String[]::clone).toList();
  }

  /** The pre-tokenizer regex. */
  public Pattern preTokenizer() {
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
    for (Fragment f : splitter.split(normalized)) {
      if (f.id() >= 0) {
        out.add(f.id());
        continue;
      }
      String s = f.text();
      if (!individualDigits) {
        encodeSegment(s, out);
        continue;
      }
      int from = 0;
      for (int i = 0; i < s.length(); ) {
        int cp = s.codePointAt(i);
        int next = i + Character.charCount(cp);
        if (Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER || Character.getType(cp) == Character.LETTER_NUMBER
            || Character.getType(cp) == Character.OTHER_NUMBER) {
          encodeSegment(s.substring(from, i), out);
          encodeWord(s.substring(i, next), out);
          from = next;
        }
        i = next;
      }
      encodeSegment(s.substring(from), out);
    }
    return out.toArray();
  }

  /** Splits {@code s} with the pre-tokenizer regex and encodes each word. */
  private void encodeSegment(String s, IntList out) {
    Matcher m = preTokenizer.matcher(s);
    int last = 0;
    while (m.find()) {
      if (m.start() > last) {
        encodeWord(s.substring(last, m.start()), out); // text the regex skipped still counts
      }
      if (m.end() > m.start()) {
        encodeWord(m.group(), out);
      }
      last = m.end();
    }
    if (last < s.length()) {
      encodeWord(s.substring(last), out);
    }
  }

  private void encodeWord(String word, IntList out) {
    String mapped = ByteUnicode.encode(word.getBytes(StandardCharsets.UTF_8));
    if (ignoreMerges) {
      Integer whole = textIds.get(mapped);
      if (whole != null) {
        out.add(whole);
        return;
      }
    }
    int n = mapped.length();
    int[] ids = new int[n];
    int[] prev = new int[n];
    int[] next = new int[n];
    for (int i = 0; i < n; i++) {
      Integer id = textIds.get(String.valueOf(mapped.charAt(i)));
      ids[i] = id != null ? id : -1;
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    // Candidates: key = (rank asc, left asc), payload = the merged id.
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
      if (ids[left] < 0 || right < 0 || ids[right] < 0 || rank(ids[left], ids[right]) != (int) (key >>> 32)) {
        continue;
      }
      ids[left] = merged;
      ids[right] = -2; // removed
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
      if (ids[i] >= 0) {
        out.add(ids[i]);
      } else if (unk >= 0) {
        out.add(unk); // the vocabulary lacks this byte's character
      }
    }
  }

  private void addPair(int[] ids, int left, int right, MergeQueue queue) {
    if (ids[left] < 0 || ids[right] < 0) {
      return;
    }
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

  private byte[] decodedBytes(int id) {
    if (id < 0 || id >= pieces.length) {
      throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + pieces.length);
    }
    return decoded[id];
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
  public String toString() {
    return "ByteLevelBpeTokenizer[vocab=" + pieces.length + ", merges=" + merges.size() + ", bos=" + bos + ", eos=" + eos + "]";
  }
}
