package org.recycledattention.backend.onnx.proto;

import static java.util.Objects.requireNonNull;

/**
 * A whole model: {@code ModelProto} with {@code ir_version} (= 1), {@code producer_name} (= 2),
 * {@code graph} (= 7) and one {@code opset_import} (= 8) of the standard domain: an {@code
 * OperatorSetIdProto} with {@code domain} (= 1) left empty and {@code version} (= 2).
 *
 * <p>{@link #toByteArray()} gives what {@code OrtEnvironment.createSession(byte[])} loads.
 */
public record Model(long irVersion, long opsetVersion, String producer, Graph graph) implements ProtoMessage {
  /** IR version 8 (2021-07-30) is the first that goes with opset 17. */
  public static final long IR_VERSION = 8;
  /** The standard operator set every graph here is written against. */
  public static final long OPSET = 17;

  public Model {
    requireNonNull(producer, "producer is null");
    requireNonNull(graph, "graph is null");
  }

  public static Model of(Graph graph) {
    return new Model(IR_VERSION, OPSET, "recycled-attention", graph);
  }

  @Override
  public void writeTo(ProtoWriter out) {
    out.int64(1, irVersion);
    out.string(2, producer);
    out.message(7, graph);
    out.message(8, opset -> opset.int64(2, opsetVersion));
  }
}
