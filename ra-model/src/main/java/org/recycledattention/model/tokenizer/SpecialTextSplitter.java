package org.recycledattention.model.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Splits text around verbatim occurrences of user-defined tokens, as llama.cpp's partition step does for
 * {@link TokenType#USER_DEFINED}: the longest token (in UTF-8 bytes) first, each cutting every occurrence
 * out of the text the longer ones left (so "abcd" with tokens "bcd" and "ab" gives "a", "bcd"); control
 * tokens are never matched. Immutable.
 */
final class SpecialTextSplitter {
  /** A run of ordinary text ({@code id == -1}) or one user-defined token. */
  record Fragment(String text, int id) {}

  private record Special(String text, int id) {}

  private final List<Special> specials;

  SpecialTextSplitter(Map<String, Integer> userDefined) {
    this.specials = userDefined.entrySet().stream()
        .filter(e -> !e.getKey().isEmpty())
        .map(e -> new Special(e.getKey(), e.getValue()))
        .sorted(Comparator.comparingInt((Special s) -> s.text().getBytes(StandardCharsets.UTF_8).length).reversed()
            .thenComparingInt(Special::id))
        .toList();
  }

  List<Fragment> split(String text) {
    List<Fragment> fragments = new ArrayList<>();
    fragments.add(new Fragment(text, -1));
    for (Special special : specials) {
      List<Fragment> next = new ArrayList<>(fragments.size() + 2);
      for (Fragment f : fragments) {
        if (f.id() >= 0) {
          next.add(f);
          continue;
        }
        int from = 0;
        for (int at = f.text().indexOf(special.text()); at >= 0; at = f.text().indexOf(special.text(), from)) {
          if (at > from) {
            next.add(new Fragment(f.text().substring(from, at), -1));
          }
          next.add(new Fragment(special.text(), special.id()));
          from = at + special.text().length();
        }
        if (from < f.text().length()) {
          next.add(new Fragment(f.text().substring(from), -1));
        }
      }
      fragments = next;
    }
    if (fragments.size() == 1 && fragments.getFirst().text().isEmpty()) {
      return List.of();
    }
    return fragments;
  }
}
