package org.recycledattention.backend.onnx.proto;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A computation graph: {@code GraphProto} with {@code node} (= 1, topologically sorted), {@code
 * name} (= 2), {@code initializer} (= 5), {@code input} (= 11) and {@code output} (= 12).
 */
public record Graph(String name, List<Node> nodes, List<Tensor> initializers, List<ValueInfo> inputs, List<ValueInfo> outputs)
    implements ProtoMessage {
  public Graph {
    requireNonNull(name, "name is null");
    nodes = List.copyOf(nodes);
    initializers = List.copyOf(initializers);
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  @Override
  public void writeTo(ProtoWriter out) {
    for (Node n : nodes) {
      out.message(1, n);
    }
    out.string(2, name);
    for (Tensor t : initializers) {
      out.message(5, t);
    }
    for (ValueInfo v : inputs) {
      out.message(11, v);
    }
    for (ValueInfo v : outputs) {
      out.message(12, v);
    }
  }
}
