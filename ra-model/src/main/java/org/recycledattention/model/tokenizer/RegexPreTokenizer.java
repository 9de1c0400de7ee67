package org.recycledattention.model.tokenizer;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face {@code tokenizer.json} pre-tokenizer: an optional {@code Digits} step (every
 * {@code \p{N}} its own word) and one {@code Split} regex, compiled with {@link
 * PreTokenizerPattern#compile} (Unicode classes, as Python's and Rust's regex engines read them);
 * text between matches is a word too.
 *
 * @param pattern the word-splitting regex
 * @param individualDigits whether every digit is its own word before the regex runs on the text
 *     between
 */
public record RegexPreTokenizer(Pattern pattern, boolean individualDigits) implements PreTokenizer {
  public RegexPreTokenizer {
    requireNonNull(pattern, "pattern is null");
  }

  @Override
  public List<String> split(String text) {
    requireNonNull(text, "text is null");
    List<String> words = new ArrayList<>();
    if (!individualDigits) {
      splitRegex(text, words);
      return words;
    }
    int from = 0;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int next = i + Character.charCount(cp);
      int type = Character.getType(cp);
      if (type == Character.DECIMAL_DIGIT_NUMBER
          || type == Character.LETTER_NUMBER
          || type == Character.OTHER_NUMBER) {
        splitRegex(text.substring(from, i), words);
        words.add(text.substring(i, next));
        from = next;
      }
      i = next;
    }
    splitRegex(text.substring(from), words);
    return words;
  }

  private void splitRegex(String s, List<String> words) {
    Matcher m = pattern.matcher(s);
    int last = 0;
    while (m.find()) {
      if (m.start() > last) {
        words.add(s.substring(last, m.start())); // text the regex skipped still counts
      }
      if (m.end() > m.start()) {
        words.add(m.group());
      }
      last = m.end();
    }
    if (last < s.length()) {
      words.add(s.substring(last));
    }
  }
}
