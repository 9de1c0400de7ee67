package org.recycledattention.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Our code point classes are llama.cpp's, for every code point: {@code unicode-flags.txt} is
 * llama.cpp's table (Unicode 15.1; {@code make_unicode_flags.py}), so this also catches a JDK whose
 * newer Unicode assigns code points that {@link CodepointFlags} does not yet list as newer than
 * llama.cpp.
 */
class CodepointFlagsTest {
  @Test
  void everyCodePointHasLlamaCppsCategoryAndWhiteSpace() throws IOException {
    List<int[]> ranges = new ArrayList<>();
    Set<Integer> whitespace = new HashSet<>();
    String table;
    try (InputStream in =
        getClass().getResourceAsStream("/tokenizer/llama-cpp/unicode-flags.txt")) {
      table = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
    for (String line : table.lines().toList()) {
      if (line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(" ");
      if (f[0].equals("whitespace")) {
        for (int i = 1; i < f.length; i++) {
          whitespace.add(Integer.parseInt(f[i], 16));
        }
      } else {
        ranges.add(new int[] {Integer.parseInt(f[0], 16), Integer.parseInt(f[1], 16)});
      }
    }
    assertThat(ranges.getLast()[0]).isEqualTo(Character.MAX_CODE_POINT + 1);
    assertThat(whitespace).hasSize(25);
    int mismatches = 0;
    StringBuilder first = new StringBuilder();
    for (int r = 0; r + 1 < ranges.size(); r++) {
      for (int cp = ranges.get(r)[0]; cp < ranges.get(r + 1)[0]; cp++) {
        int ours = CodepointFlags.of(cp);
        int theirs = ranges.get(r)[1] | (whitespace.contains(cp) ? CodepointFlags.WHITESPACE : 0);
        if (ours != theirs) {
          if (mismatches++ < 10) {
            first.append(String.format(" U+%04X ours 0x%X llama.cpp 0x%X;", cp, ours, theirs));
          }
        }
      }
    }
    assertThat(mismatches).as("code points classed unlike llama.cpp:%s", first).isZero();
  }
}
