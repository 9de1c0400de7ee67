package org.recycledattention.model.tokenizer;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.recycledattention.model.tokenizer.SpecialTextSplitter.Fragment;

/**
 * SentencePiece-style BPE with scores, as llama.cpp's {@code llama} (SPM) tokenizer and llama2.c's
 * {@code encode} do it: spaces become the space marker ({@code '▁'}, or a plain space for llama2.c
 * files), a marker is prepended to the text and to any text after a user-defined piece (the "dummy
 * prefix", where llama.cpp adds it), the text starts as one symbol per
 * code point, and the adjacent pair whose concatenation is a vocabulary piece with the highest score
 * is merged until no pair is in the vocabulary (ties: leftmost pair). Symbols that are not pieces
 * fall back to their UTF-8 bytes as {@code <0xNN>} pieces (or the unknown token when the vocabulary
 * has no byte pieces).
 *
 * <p>Only {@link TokenType#NORMAL}, {@link TokenType#UNDEFINED} and {@link TokenType#USER_DEFINED}
 * pieces take part in merges, so plain text never encodes to a control token; user-defined pieces
 * are additionally matched verbatim in the text (longest first, as llama.cpp). Decoding: control and
 * unused pieces give "", byte pieces their byte, the unknown piece U+FFFD, others their text with the
 * marker turned back into a space; {@link #decode} drops the dummy-prefix spaces again.
 *
 * <p>Immutable and thread-safe.
 */
public final class SentencePieceTokenizer extends VocabularyTokenizer {
  /** U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's space. */
  public static final char SPM_SPACE = '\u2581';

  private final float[] scores;
  private final int unk;
  private final boolean addSpacePrefix;
  private final char spaceMarker;
  /** Pieces that may be produced from text (normal and user-defined), first id wins. */
  private final Map<String, Integer> mergeable;
  private final int[] byteTokens;
  private final SpecialTextSplitter splitter;

  /**
   * A placeholder vocabulary of {@code vocab} pieces (259 or more) for models without one (random
   * weights, fixtures): {@code <unk> <s> </s>}, the 256 byte pieces, then {@code ▁t259 ..}, as
   * llama2.c's stories260K dummy vocabulary is laid out. BOS 1, EOS 2. Enough for llama.cpp to load
   * a GGUF written with it.
   */
  public static SentencePieceTokenizer placeholder(int vocab) {
    if (vocab < 259) {
      throw new IllegalArgumentException("a placeholder vocabulary needs 259 pieces or more, got " + vocab);
    }
    List<String> pieces = new ArrayList<>(vocab);
    TokenType[] types = new TokenType[vocab];
    float[] scores = new float[vocab];
    pieces.addAll(List.of("<unk>", "<s>", "</s>"));
    types[0] = TokenType.UNKNOWN;
    types[1] = TokenType.CONTROL;
    types[2] = TokenType.CONTROL;
    for (int b = 0; b < 256; b++) {
      pieces.add(String.format("<0x%02X>", b));
      types[3 + b] = TokenType.BYTE;
    }
    for (int id = 259; id < vocab; id++) {
      pieces.add(SPM_SPACE + "t" + id);
      types[id] = TokenType.NORMAL;
      scores[id] = -id;
    }
    return new SentencePieceTokenizer(pieces, scores, types, 1, 2, new int[] {2}, true, true, SPM_SPACE);
  }

  /**
   * @param pieces the vocabulary, index = id
   * @param scores merge priority per id (higher merges first)
   * @param types kind of each id
   * @param bos BOS id or -1
   * @param eos EOS id or -1
   * @param stopTokens ids that end generation (typically {@code {eos}})
   * @param addBos whether prompts conventionally start with BOS
   * @param addSpacePrefix prepend a space to the text before encoding (SentencePiece's dummy prefix)
   * @param spaceMarker how a space is spelled inside pieces: {@link #SPM_SPACE} or {@code ' '}
   */
  public SentencePieceTokenizer(List<String> pieces, float[] scores, TokenType[] types, int bos, int eos, int[] stopTokens,
      boolean addBos, boolean addSpacePrefix, char spaceMarker) {
    requireNonNull(scores, "scores is null");
    if (scores.length != requireNonNull(pieces, "pieces is null").size()) {
      throw new IllegalArgumentException("vocabulary of " + pieces.size() + " pieces needs as many scores (" + scores.length + ")");
    }
    super(pieces, types, bos, eos, stopTokens, addBos);
    int n = pieces.size();
    this.scores = scores.clone();
    this.addSpacePrefix = addSpacePrefix;
    this.spaceMarker = spaceMarker;
    this.mergeable = new HashMap<>(n * 2);
    Map<String, Integer> userDefined = new HashMap<>();
    this.byteTokens = new int[256];
    Arrays.fill(byteTokens, -1);
    int unknown = -1;
    for (int id = 0; id < n; id++) {
      String p = this.pieces[id];
      switch (this.types[id]) {
        case NORMAL, UNDEFINED -> {
          mergeable.putIfAbsent(p, id);
          decoded[id] = p.replace(spaceMarker, ' ').getBytes(StandardCharsets.UTF_8);
        }
        case USER_DEFINED -> {
          mergeable.putIfAbsent(p, id);
          userDefined.putIfAbsent(p, id);
          decoded[id] = p.replace(spaceMarker, ' ').getBytes(StandardCharsets.UTF_8);
        }
        case BYTE -> {
          int b = parseBytePiece(p);
          if (b < 0) {
            decoded[id] = p.getBytes(StandardCharsets.UTF_8);
          } else {
            decoded[id] = new byte[] {(byte) b};
            if (byteTokens[b] < 0) {
              byteTokens[b] = id;
            }
          }
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
  }

  /** The byte of a {@code <0xNN>} piece, or -1. */
  static int parseBytePiece(String p) {
    if (p.length() == 6 && p.startsWith("<0x") && p.charAt(5) == '>') {
      int hi = Character.digit(p.charAt(3), 16);
      int lo = Character.digit(p.charAt(4), 16);
      if (hi >= 0 && lo >= 0) {
        return hi * 16 + lo;
      }
    }
    return -1;
  }




  /** The unknown-token id, or -1. */
  public int unk() {
    return unk;
  }


  /** The merge score of {@code id}. */
  public float score(int id) {
    return scores[id];
  }




  /** Whether a space is prepended to the text before encoding. */
  public boolean addSpacePrefix() {
    return addSpacePrefix;
  }

  /** How a space is spelled inside pieces. */
  public char spaceMarker() {
    return spaceMarker;
  }



  @Override
  public int[] encode(String text, boolean withBos) {
    requireNonNull(text, "text is null");
    IntList out = new IntList(text.length() + 2);
    if (withBos && bos >= 0) {
      out.add(bos);
    }
    if (text.isEmpty()) {
      return out.toArray();
    }
    // As llama.cpp: every run of text that starts the text or follows a user-defined piece gets the dummy prefix.
    boolean afterSpecial = true;
    for (Fragment f : splitter.split(text)) {
      if (f.id() >= 0) {
        out.add(f.id());
        afterSpecial = true;
      } else {
        String s = (afterSpecial && addSpacePrefix ? " " + f.text() : f.text()).replace(' ', spaceMarker);
        encodeFragment(s, out);
        afterSpecial = false;
      }
    }
    return out.toArray();
  }

  private void encodeFragment(String s, IntList out) {
    int n = s.codePointCount(0, s.length());
    int[] start = new int[n];
    int[] length = new int[n];
    int[] prev = new int[n];
    int[] next = new int[n];
    for (int i = 0, off = 0; i < n; i++) {
      int cp = s.codePointAt(off);
      start[i] = off;
      length[i] = Character.charCount(cp);
      off += length[i];
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    // Candidates: key = (score desc, left asc), payload = the merged length in chars.
    MergeQueue queue = new MergeQueue(n);
    for (int i = 1; i < n; i++) {
      tryAddBigram(s, start, length, i - 1, i, queue);
    }
    while (!queue.isEmpty()) {
      int left = MergeQueue.left(queue.topKey());
      int merged = queue.topPayload();
      queue.pop();
      int right = next[left];
      // Stale: the left symbol was merged away, or it or its neighbour grew since this pair was queued.
      if (length[left] == 0 || right < 0 || length[left] + length[right] != merged) {
        continue;
      }
      length[left] = merged;
      length[right] = 0;
      next[left] = next[right];
      if (next[right] >= 0) {
        prev[next[right]] = left;
      }
      if (prev[left] >= 0) {
        tryAddBigram(s, start, length, prev[left], left, queue);
      }
      if (next[left] >= 0) {
        tryAddBigram(s, start, length, left, next[left], queue);
      }
    }
    for (int i = 0; i >= 0; i = next[i]) {
      String symbol = s.substring(start[i], start[i] + length[i]);
      Integer id = mergeable.get(symbol);
      if (id != null) {
        out.add(id);
      } else {
        // As llama.cpp: the escaped text (a marker stays a marker) falls back to bytes.
        for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
          int byteId = byteTokens[b & 0xFF];
          if (byteId >= 0) {
            out.add(byteId);
          } else if (unk >= 0) {
            out.add(unk);
          }
          // else: the vocabulary can represent neither the piece nor its bytes; the byte is dropped.
        }
      }
    }
  }

  private void tryAddBigram(String s, int[] start, int[] length, int left, int right, MergeQueue queue) {
    int len = length[left] + length[right];
    Integer id = mergeable.get(s.substring(start[left], start[left] + len));
    if (id != null) {
      queue.push(MergeQueue.byScoreThenLeft(scores[id], left), len);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The ids are taken as a whole text: the dummy-prefix space of its first piece is dropped (as
   * SentencePiece and Hugging Face decode), and so is that of the first piece after a user-defined piece
   * (where {@link #encode} adds one, as llama.cpp), so {@code decode(encode(s, addBos))} is {@code s}
   * either way. A {@link #newDecoder()} instead continues a text and keeps that space unless BOS
   * or a user-defined piece came first; the two agree on ids that start with BOS.
   */
  @Override
  public String decode(int[] ids) {
    requireNonNull(ids, "ids is null");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length * 4);
    boolean runStart = true;
    for (int id : ids) {
      byte[] d = decodedBytes(id);
      if (d.length == 0) {
        continue; // control pieces (BOS) take no part in where a run of text starts
      }
      int from = runStart && addSpacePrefix && stripsDummyPrefix(id, d) ? 1 : 0;
      runStart = types[id] == TokenType.USER_DEFINED;
      bytes.write(d, from, d.length - from);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private boolean afterBosStrips(int previous, int id, byte[] d) {
    boolean runStart = previous >= 0 && (previous == bos || types[previous] == TokenType.USER_DEFINED);
    return runStart && addSpacePrefix && stripsDummyPrefix(id, d);
  }

  /** Whether a leading space of {@code id}'s bytes can be the dummy prefix (a text piece, or its byte fallback). */
  private boolean stripsDummyPrefix(int id, byte[] d) {
    TokenType t = types[id];
    return d.length > 0 && d[0] == ' ' && (t == TokenType.NORMAL || t == TokenType.UNDEFINED || t == TokenType.USER_DEFINED || t == TokenType.BYTE);
  }


  /**
   * {@inheritDoc}
   *
   * <p>The decoder continues a text (generated tokens after a prompt): it keeps the leading space
   * of the first piece, except directly after BOS (as llama2.c's {@code decode} does) or a user-defined
   * piece. Fed ids that start with BOS it gives the same text as {@link #decode}.
   */
  @Override
  public StreamingDecoder newDecoder() {
    return new StreamingDecoder() {
      private final Utf8Accumulator utf8 = new Utf8Accumulator();
      private int previous = -1;

      @Override
      public String next(int id) {
        byte[] d = decodedBytes(id);
        if (afterBosStrips(previous, id, d)) {
          d = Arrays.copyOfRange(d, 1, d.length);
        }
        previous = id;
        return utf8.push(d);
      }

      @Override
      public String finish() {
        return utf8.finish();
      }
    };
  }

  @Override
  boolean showsBytePieces() {
    return true;
  }

  @Override
  public String toString() {
    return "SentencePieceTokenizer[vocab=" + pieces.length + ", bos=" + bos + ", eos=" + eos + "]";
  }
}
