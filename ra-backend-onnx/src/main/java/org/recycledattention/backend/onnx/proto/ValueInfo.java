package org.recycledattention.backend.onnx.proto;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A graph input or output: {@code ValueInfoProto} (name = 1, type = 2) holding a {@code
 * TypeProto} with a {@code tensor_type} (= 1) of {@code elem_type} (= 1) and {@code shape} (= 2).
 */
public record ValueInfo(String name, DataType type, List<Dim> dims) implements ProtoMessage {
  public ValueInfo {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    dims = List.copyOf(dims);
  }

  public static ValueInfo of(String name, DataType type, Dim... dims) {
    return new ValueInfo(name, type, List.of(dims));
  }

  @Override
  public void writeTo(ProtoWriter out) {
    out.string(1, name);
    out.message(2, typeProto -> typeProto.message(1, tensorType -> {
      tensorType.int64(1, type.code());
      tensorType.message(2, shape -> {
        for (Dim d : dims) {
          shape.message(1, d);
        }
      });
    }));
  }
}
