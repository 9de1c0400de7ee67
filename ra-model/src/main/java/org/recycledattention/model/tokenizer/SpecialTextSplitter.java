package org.recycledattention.model.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text around verbatim occurrences of user-defined tokens (as llama.cpp's partition step
 * does for {@link TokenType#USER_DEFINED}); control tokens are never matched. Immutable.
 */
final class SpecialTextSplitter {
  /** A run of ordinary text ({@code id == -1}) or one user-defined token. */
  record Fragment(String text, int id) {}

  private final Pattern pattern;
  private final Map<String, Integer> ids;

  SpecialTextSplitter(Map<String, Integer> userDefined) {
    this.ids = Map.copyOf(userDefined);
    if (ids.isEmpty()) {
      pattern = null;
    } else {
      StringBuilder alternation = new StringBuilder();
      ids.keySet().stream()
          .filter(s -> !s.isEmpty())
          .sorted(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()))
          .forEach(s -> alternation.append(alternation.isEmpty() ? "" : "|").append(Pattern.quote(s)));
      pattern = alternation.isEmpty() ? null : Pattern.compile(alternation.toString());
    }
  }

  List<Fragment> split(String text) {
    List<Fragment> out = new ArrayList<>();
    if (pattern == null) {
      out.add(new Fragment(text, -1));
      return out;
    }
    Matcher m = pattern.matcher(text);
    int last = 0;
    while (m.find()) {
      if (m.start() > last) {
        out.add(new Fragment(text.substring(last, m.start()), -1));
      }
      out.add(new Fragment(m.group(), ids.get(m.group())));
      last = m.end();
    }
    if (last < text.length()) {
      out.add(new Fragment(text.substring(last), -1));
    }
    return out;
  }
}
