package org.recycledattention.backend.onnx.proto;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One operator application: {@code NodeProto} with {@code input} (= 1), {@code output} (= 2),
 * {@code name} (= 3), {@code op_type} (= 4), {@code attribute} (= 5) and {@code domain} (= 7; empty
 * for the standard {@code ai.onnx} operator set). An empty input name marks an omitted optional
 * input.
 */
public record Node(String opType, List<String> inputs, List<String> outputs, String name, String domain, List<Attribute> attributes)
    implements ProtoMessage {
  public Node {
    requireNonNull(opType, "opType is null");
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    requireNonNull(name, "name is null");
    requireNonNull(domain, "domain is null");
    attributes = List.copyOf(attributes);
  }

  @Override
  public void writeTo(ProtoWriter out) {
    for (String in : inputs) {
      out.string(1, in);
    }
    for (String o : outputs) {
      out.string(2, o);
    }
    if (!name.isEmpty()) {
      out.string(3, name);
    }
    out.string(4, opType);
    for (Attribute a : attributes) {
      out.message(5, a);
    }
    if (!domain.isEmpty()) {
      out.string(7, domain);
    }
  }
}
