package org.recycledattention.backend.onnx.proto;

import static java.util.Objects.requireNonNull;

/**
 * A node attribute: {@code AttributeProto} with {@code name} (= 1), {@code type} (= 20) and exactly
 * one value field: {@code f} (= 2), {@code i} (= 3), {@code t} (= 5) or {@code ints} (= 8).
 */
public sealed interface Attribute extends ProtoMessage permits Attribute.Int, Attribute.Float, Attribute.Ints, Attribute.TensorValue {
  // AttributeProto.AttributeType
  int FLOAT = 1;
  int INT = 2;
  int TENSOR = 4;
  int INTS = 7;

  String name();

  static Attribute of(String name, long value) {
    return new Int(name, value);
  }

  static Attribute of(String name, float value) {
    return new Float(name, value);
  }

  static Attribute ofInts(String name, long... values) {
    return new Ints(name, values);
  }

  static Attribute of(String name, Tensor value) {
    return new TensorValue(name, value);
  }

  record Int(String name, long value) implements Attribute {
    public Int {
      requireNonNull(name, "name is null");
    }

    @Override
    public void writeTo(ProtoWriter out) {
      out.string(1, name).int64(20, INT).int64(3, value);
    }
  }

  record Float(String name, float value) implements Attribute {
    public Float {
      requireNonNull(name, "name is null");
    }

    @Override
    public void writeTo(ProtoWriter out) {
      out.string(1, name).int64(20, FLOAT).float32(2, value);
    }
  }

  record Ints(String name, long[] values) implements Attribute {
    public Ints {
      requireNonNull(name, "name is null");
      values = values.clone();
    }

    @Override
    public long[] values() {
      return values.clone();
    }

    @Override
    public void writeTo(ProtoWriter out) {
      out.string(1, name).int64(20, INTS);
      for (long v : values) {
        out.int64(8, v);
      }
    }
  }

  record TensorValue(String name, Tensor value) implements Attribute {
    public TensorValue {
      requireNonNull(name, "name is null");
      requireNonNull(value, "value is null");
    }

    @Override
    public void writeTo(ProtoWriter out) {
      out.string(1, name).int64(20, TENSOR).message(5, value);
    }
  }
}
