package org.recycledattention.backend.onnx.proto;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A small constant tensor: {@code TensorProto} with {@code dims} (= 1), {@code data_type} (= 2),
 * {@code name} (= 8) and little-endian {@code raw_data} (= 9). Used for initializers and the
 * {@code value} of Constant nodes; not meant for large weights.
 */
public record Tensor(String name, DataType type, long[] dims, byte[] rawData) implements ProtoMessage {
  public Tensor {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    dims = dims.clone();
    rawData = rawData.clone();
    long count = 1;
    for (long d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension");
      }
      count *= d;
    }
    if (count * type.bytes() != rawData.length) {
      throw new IllegalArgumentException("tensor '" + name + "' of " + count + " " + type + " elements needs "
          + count * type.bytes() + " bytes of data, got " + rawData.length);
    }
  }

  /** A float tensor of shape {@code dims} (empty for a scalar). */
  public static Tensor ofFloats(String name, long[] dims, float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return new Tensor(name, DataType.FLOAT, dims, b.array());
  }

  /** An int64 tensor of shape {@code dims} (empty for a scalar). */
  public static Tensor ofLongs(String name, long[] dims, long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return new Tensor(name, DataType.INT64, dims, b.array());
  }

  @Override
  public long[] dims() {
    return dims.clone();
  }

  @Override
  public byte[] rawData() {
    return rawData.clone();
  }

  @Override
  public void writeTo(ProtoWriter out) {
    for (long d : dims) {
      out.int64(1, d);
    }
    out.int64(2, type.code());
    out.string(8, name);
    out.bytes(9, rawData);
  }
}
