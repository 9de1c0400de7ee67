package org.recycledattention.model.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns a stream of byte chunks into text that is always valid UTF-16: a multi-byte UTF-8
 * sequence split across chunks is held back until complete; malformed bytes become U+FFFD.
 * Not thread-safe.
 */
final class Utf8Accumulator {
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPLACE)
      .onUnmappableCharacter(CodingErrorAction.REPLACE);
  /** At most 3 bytes of an incomplete sequence. */
  private byte[] held = new byte[0];

  /** Text completed by {@code bytes}; may be empty. */
  String push(byte[] bytes) {
    if (bytes.length == 0) {
      return "";
    }
    ByteBuffer in = ByteBuffer.allocate(held.length + bytes.length);
    in.put(held).put(bytes).flip();
    CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
    decoder.reset();
    decoder.decode(in, out, false);
    held = new byte[in.remaining()];
    in.get(held);
    return out.flip().toString();
  }

  /** Whatever is held back, as U+FFFD when incomplete; resets the accumulator. */
  String finish() {
    if (held.length == 0) {
      return "";
    }
    ByteBuffer in = ByteBuffer.wrap(held);
    CharBuffer out = CharBuffer.allocate(held.length + 1);
    decoder.reset();
    decoder.decode(in, out, true);
    decoder.flush(out);
    held = new byte[0];
    return out.flip().toString();
  }
}
