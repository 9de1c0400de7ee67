package org.recycledattention.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The Java regexes split like the Python originals: {@code pretokenizer-cases.json} holds 400 random
 * strings over letters, combining marks, digits of several scripts, Unicode spaces, contractions,
 * punctuation and emoji sequences, split by Python's {@code regex} module (the expected values).
 */
class PreTokenizerPatternTest {
  @Test
  void splitsLikePythonsRegexModule() throws IOException {
    JsonNode root;
    try (InputStream in = getClass().getResourceAsStream("/tokenizer/pretokenizer-cases.json")) {
      root = new ObjectMapper().readTree(in);
    }
    SoftAssertions soft = new SoftAssertions();
    int checked = 0;
    for (JsonNode c : root.path("cases")) {
      String text = c.path("text").asText();
      for (PreTokenizerPattern p : PreTokenizerPattern.values()) {
        List<String> expected = new ArrayList<>();
        c.path(p.name()).forEach(n -> expected.add(n.asText()));
        List<String> actual = ByteLevelBpeTokenizerTest.split(p, text);
        soft.assertThat(actual).as("%s on %s", p, escape(text)).isEqualTo(expected);
        soft.assertThat(String.join("", actual)).as("%s covers %s", p, escape(text)).isEqualTo(text);
        checked++;
      }
    }
    soft.assertAll();
    assertThat(checked).isEqualTo(1200);
  }

  static String escape(String s) {
    StringBuilder sb = new StringBuilder("\"");
    s.codePoints().forEach(cp -> sb.append(cp >= 0x20 && cp < 0x7F ? String.valueOf((char) cp) : String.format("\\u{%X}", cp)));
    return sb.append('"').toString();
  }
}
