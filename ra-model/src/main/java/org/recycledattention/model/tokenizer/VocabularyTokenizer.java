package org.recycledattention.model.tokenizer;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What both tokenizers hold the same way: the vocabulary (pieces, their kinds and what each decodes
 * to), BOS, EOS and the stop tokens, and the lookups over them. A subclass fills {@link #decoded} in its
 * constructor (how a piece spells bytes is what differs) and does the encoding.
 */
abstract sealed class VocabularyTokenizer implements Tokenizer permits ByteLevelBpeTokenizer, SentencePieceTokenizer {
  final String[] pieces;
  final TokenType[] types;
  final int bos;
  final int eos;
  /** What each id decodes to, in UTF-8; the subclass's constructor fills it. */
  final byte[][] decoded;
  private final int[] stopTokens;
  private final boolean addBos;
  /** Every piece, first id wins (for {@link #find}). */
  private final Map<String, Integer> allIds;

  /**
   * @throws IllegalArgumentException for an empty vocabulary, a missing type, or an id (BOS, EOS or a
   *     stop token; -1 = none) outside it
   */
  VocabularyTokenizer(List<String> pieces, TokenType[] types, int bos, int eos, int[] stopTokens, boolean addBos) {
    requireNonNull(pieces, "pieces is null");
    requireNonNull(types, "types is null");
    requireNonNull(stopTokens, "stopTokens is null");
    int n = pieces.size();
    if (n == 0 || types.length != n) {
      throw new IllegalArgumentException("vocabulary of " + n + " pieces needs as many types (" + types.length + ")");
    }
    checkId("bos", bos, n);
    checkId("eos", eos, n);
    for (int s : stopTokens) {
      checkId("stop token", s, n);
    }
    this.pieces = pieces.toArray(String[]::new);
    this.types = types.clone();
    this.bos = bos;
    this.eos = eos;
    this.stopTokens = stopTokens.clone();
    this.addBos = addBos;
    this.allIds = new HashMap<>(n * 2);
    for (int id = 0; id < n; id++) {
      allIds.putIfAbsent(requireNonNull(this.pieces[id], "piece is null"), id);
      requireNonNull(this.types[id], "token type is null");
    }
    this.decoded = new byte[n][];
  }

  private static void checkId(String what, int id, int n) {
    if (id < -1 || id >= n) {
      throw new IllegalArgumentException(what + " id " + id + " is outside the vocabulary of " + n);
    }
  }

  @Override
  public final int vocabSize() {
    return pieces.length;
  }

  @Override
  public final int bos() {
    return bos;
  }

  @Override
  public final int eos() {
    return eos;
  }

  @Override
  public final String piece(int id) {
    return pieces[id];
  }

  /**
   * {@inheritDoc}
   *
   * <p>As llama.cpp shows pieces: control, unknown and user-defined ones as written, text pieces as the
   * text they decode to, the rest (and byte pieces, unless {@link #showsBytePieces}) as nothing.
   */
  @Override
  public final byte[] pieceBytes(int id) {
    byte[] d = decodedBytes(id);
    return switch (types[id]) {
      case CONTROL, UNKNOWN, USER_DEFINED -> pieces[id].getBytes(StandardCharsets.UTF_8);
      case NORMAL -> d.clone();
      case BYTE -> showsBytePieces() ? d.clone() : new byte[0];
      case UNDEFINED, UNUSED -> new byte[0];
    };
  }

  /** Whether {@link #pieceBytes} shows a byte piece as its byte (SentencePiece) or as nothing (byte-level BPE). */
  abstract boolean showsBytePieces();

  @Override
  public final TokenType tokenType(int id) {
    return types[id];
  }

  @Override
  public final boolean addBosByDefault() {
    return addBos && bos >= 0;
  }

  @Override
  public final OptionalInt find(String piece) {
    Integer id = allIds.get(piece);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  @Override
  public final int[] stopTokens() {
    return stopTokens.clone();
  }

  /** What {@code id} decodes to (not a copy). */
  final byte[] decodedBytes(int id) {
    if (id < 0 || id >= pieces.length) {
      throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + pieces.length);
    }
    return decoded[id];
  }
}
