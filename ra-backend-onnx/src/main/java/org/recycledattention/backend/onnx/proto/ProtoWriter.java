package org.recycledattention.backend.onnx.proto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A minimal protocol-buffers wire-format encoder: just what the ONNX messages of this package need
 * (varint, 64-bit two's-complement integers, fixed32 floats, length-delimited bytes, strings and
 * nested messages). Repeated scalar fields are written unpacked, as proto2 declares them in
 * {@code onnx.proto}; every conforming parser also accepts that form.
 *
 * <p>Wire types: 0 varint, 2 length-delimited, 5 fixed32. A field's key is {@code (number << 3) |
 * wireType}, itself a varint.
 *
 * <p><b>NOTE:</b> not thread-safe; one writer per message being encoded.
 */
public final class ProtoWriter {
  static final int VARINT = 0;
  static final int LENGTH_DELIMITED = 2;
  static final int FIXED32 = 5;

  private byte[] buf = new byte[64];
  private int size;

  /** Writes field {@code number} as a varint: int32/int64/enum values (negative ones take 10 bytes). */
  public ProtoWriter int64(int number, long value) {
    key(number, VARINT);
    rawVarint(value);
    return this;
  }

  /** Writes field {@code number} as a little-endian IEEE-754 float (wire type 5). */
  public ProtoWriter float32(int number, float value) {
    key(number, FIXED32);
    int bits = Float.floatToRawIntBits(value);
    ensure(4);
    buf[size++] = (byte) bits;
    buf[size++] = (byte) (bits >>> 8);
    buf[size++] = (byte) (bits >>> 16);
    buf[size++] = (byte) (bits >>> 24);
    return this;
  }

  /** Writes field {@code number} as a UTF-8 string. */
  public ProtoWriter string(int number, String value) {
    return bytes(number, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes field {@code number} as length-delimited bytes (also how a nested message is written). */
  public ProtoWriter bytes(int number, byte[] value) {
    key(number, LENGTH_DELIMITED);
    rawVarint(value.length);
    ensure(value.length);
    System.arraycopy(value, 0, buf, size, value.length);
    size += value.length;
    return this;
  }

  /** Writes field {@code number} as a nested message, encoded by {@code message}. */
  public ProtoWriter message(int number, ProtoMessage message) {
    ProtoWriter inner = new ProtoWriter();
    message.writeTo(inner);
    return bytes(number, inner.toByteArray());
  }

  /** The bytes written so far. */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  private void key(int number, int wireType) {
    if (number < 1 || number > 536_870_911) {
      throw new IllegalArgumentException("protobuf field number must be in [1, 2^29 - 1], got " + number);
    }
    rawVarint(((long) number << 3) | wireType);
  }

  private void rawVarint(long value) {
    ensure(10);
    long v = value;
    while ((v & ~0x7FL) != 0) {
      buf[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }
}
