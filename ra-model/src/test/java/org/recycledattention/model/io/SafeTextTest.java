package org.recycledattention.model.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SafeTextTest {
  @Test
  void controlCharactersAndReorderingCharactersAreEscaped() {
    assertThat(SafeText.of("a\u001b]0;title\u0007b\u001b[2Jc")).isEqualTo("a\\x1B]0;title\\x07b\\x1B[2Jc");
    assertThat(SafeText.of("line\nnext\r\tend\u007f\u009b")).isEqualTo("line\\nnext\\r\\tend\\x7F\\x9B");
    assertThat(SafeText.of("abc\u202edcba\u2066x\u200by\ufeff")).isEqualTo("abc\\u202Edcba\\u2066x\\u200By\\uFEFF");
    assertThat(SafeText.of("lone \ud800 surrogate")).isEqualTo("lone \\uD800 surrogate");
  }

  @Test
  void printableTextIsKeptAsItIs() {
    assertThat(SafeText.of("tensor blk.0.attn_q.weight \u00e9\u4e2d \ud83d\ude00 \u2581x")).isEqualTo("tensor blk.0.attn_q.weight \u00e9\u4e2d \ud83d\ude00 \u2581x");
    assertThat(SafeText.of(null)).isEqualTo("null");
  }

  @Test
  void longTextIsCutWithItsLength() {
    String cut = SafeText.of("x".repeat(100_000));
    assertThat(cut).startsWith("x".repeat(SafeText.MAX_CHARS)).endsWith("\u2026 (100000 characters)").hasSize(SafeText.MAX_CHARS + 21);
    // escapes count toward the bound: a string of escapes cannot make a line long either
    assertThat(SafeText.of("\u0007".repeat(10_000)).length()).isLessThan(SafeText.MAX_CHARS + 30);
  }

  @Test
  void aMessageBecomesOneBoundedLine() {
    assertThat(SafeText.line("first\n  second\r\nthird \u001b[1m")).isEqualTo("first second third \\x1B[1m");
    assertThat(SafeText.line("y".repeat(50_000)).length()).isLessThan(SafeText.MAX_LINE + 30);
    assertThat(SafeText.line(null)).isEqualTo("unknown error");
  }

  @Test
  void bytesAreShownAsHex() {
    assertThat(SafeText.hex(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, 0, 16)).isEqualTo("89 50 4e 47");
    assertThat(SafeText.hex(new byte[20], 0, 2)).isEqualTo("00 00 ...");
  }
}
