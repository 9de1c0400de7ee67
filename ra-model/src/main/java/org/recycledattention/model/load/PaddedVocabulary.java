package org.recycledattention.model.load;

import java.util.Arrays;
import java.util.OptionalInt;
import org.recycledattention.model.tokenizer.TokenType;
import org.recycledattention.model.tokenizer.Tokenizer;

/**
 * A tokenizer stretched to an embedding with more rows than it has tokens, as Hugging Face
 * checkpoints pad their embeddings (Qwen2: 151,936 rows for 151,665 tokens). The padding ids are
 * {@link TokenType#UNUSED} pieces {@code [PAD<id>]} that decode to nothing, so a model that
 * predicts one never breaks decoding; encoding never produces them.
 */
final class PaddedVocabulary implements Tokenizer {
  private final Tokenizer tokenizer;
  private final int size;

  PaddedVocabulary(Tokenizer tokenizer, int size) {
    if (size < tokenizer.vocabSize()) {
      throw new IllegalArgumentException("padding cannot shrink a vocabulary of " + tokenizer.vocabSize() + " to " + size);
    }
    this.tokenizer = tokenizer;
    this.size = size;
  }

  private boolean padding(int id) {
    return id >= tokenizer.vocabSize() && id < size;
  }

  @Override
  public int vocabSize() {
    return size;
  }

  @Override
  public int bos() {
    return tokenizer.bos();
  }

  @Override
  public int eos() {
    return tokenizer.eos();
  }

  @Override
  public String piece(int id) {
    return padding(id) ? "[PAD" + id + "]" : tokenizer.piece(id);
  }

  @Override
  public int[] encode(String text, boolean addBos) {
    return tokenizer.encode(text, addBos);
  }

  @Override
  public String decode(int[] ids) {
    return tokenizer.decode(Arrays.stream(ids).filter(id -> !padding(id)).toArray());
  }

  @Override
  public StreamingDecoder newDecoder() {
    StreamingDecoder inner = tokenizer.newDecoder();
    return new StreamingDecoder() {
      @Override
      public String next(int id) {
        return padding(id) ? "" : inner.next(id);
      }

      @Override
      public String finish() {
        return inner.finish();
      }
    };
  }

  @Override
  public TokenType tokenType(int id) {
    return padding(id) ? TokenType.UNUSED : tokenizer.tokenType(id);
  }

  @Override
  public boolean isControl(int id) {
    return !padding(id) && tokenizer.isControl(id);
  }

  @Override
  public boolean addBosByDefault() {
    return tokenizer.addBosByDefault();
  }

  @Override
  public int[] stopTokens() {
    return tokenizer.stopTokens();
  }

  @Override
  public OptionalInt find(String piece) {
    return tokenizer.find(piece);
  }
}
