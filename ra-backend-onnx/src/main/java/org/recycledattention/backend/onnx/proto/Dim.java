package org.recycledattention.backend.onnx.proto;

import static java.util.Objects.requireNonNull;

/**
 * One dimension of a {@link ValueInfo}: {@code TensorShapeProto.Dimension}, either a fixed size
 * ({@code dim_value = 1}) or a symbolic name ({@code dim_param = 2}) that takes its value from the
 * tensor fed at run time.
 */
public sealed interface Dim extends ProtoMessage permits Dim.Fixed, Dim.Symbolic {
  static Dim of(long value) {
    return new Fixed(value);
  }

  static Dim of(String name) {
    return new Symbolic(name);
  }

  /** A fixed size, at least 0. */
  record Fixed(long value) implements Dim {
    public Fixed {
      if (value < 0) {
        throw new IllegalArgumentException("a fixed dimension must be >= 0, got " + value);
      }
    }

    @Override
    public void writeTo(ProtoWriter out) {
      out.int64(1, value);
    }
  }

  /** A dimension known only at run time, named so that several inputs can share it. */
  record Symbolic(String name) implements Dim {
    public Symbolic {
      requireNonNull(name, "name is null");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("a symbolic dimension needs a name");
      }
    }

    @Override
    public void writeTo(ProtoWriter out) {
      out.string(2, name);
    }
  }
}
