package org.recycledattention.inference.chat;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.recycledattention.model.tokenizer.Tokenizer;

/**
 * Encodes a rendered chat prompt: the text of the vocabulary's control tokens ({@code
 * <|im_start|>}, {@code <|eot_id|>}, {@code </s>}, ...) becomes those tokens, the text between them
 * is encoded as usual, each run on its own (as llama.cpp does with special-token parsing on).
 * Immutable and thread-safe.
 */
final class ChatEncoder {
  private final Tokenizer tokenizer;
  private final Pattern controls;
  private final Map<String, Integer> ids = new HashMap<>();

  ChatEncoder(Tokenizer tokenizer) {
    this.tokenizer = requireNonNull(tokenizer, "tokenizer is null");
    for (int id = 0; id < tokenizer.vocabSize(); id++) {
      String piece = tokenizer.piece(id);
      if (tokenizer.isControl(id) && !piece.isEmpty()) {
        ids.putIfAbsent(piece, id);
      }
    }
    StringBuilder alternation = new StringBuilder();
    ids.keySet().stream()
        .sorted(
            Comparator.comparingInt(String::length)
                .reversed()
                .thenComparing(Comparator.naturalOrder()))
        .forEach(
            p -> alternation.append(alternation.isEmpty() ? "" : "|").append(Pattern.quote(p)));
    this.controls = alternation.isEmpty() ? null : Pattern.compile(alternation.toString());
  }

  int[] encode(String text, boolean addBos) {
    IntStream.Builder out = IntStream.builder();
    if (addBos && tokenizer.bos() >= 0) {
      out.add(tokenizer.bos());
    }
    int from = 0;
    if (controls != null) {
      Matcher m = controls.matcher(text);
      while (m.find()) {
        plain(text.substring(from, m.start()), out);
        out.add(ids.get(m.group()));
        from = m.end();
      }
    }
    plain(text.substring(from), out);
    return out.build().toArray();
  }

  private void plain(String text, IntStream.Builder out) {
    if (!text.isEmpty()) {
      for (int id : tokenizer.encode(text, false)) {
        out.add(id);
      }
    }
  }
}
