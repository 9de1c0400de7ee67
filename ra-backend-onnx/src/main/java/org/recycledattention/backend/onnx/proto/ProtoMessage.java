package org.recycledattention.backend.onnx.proto;

/** A value that encodes itself as one protobuf message (its fields, without a length prefix). */
public interface ProtoMessage {
  void writeTo(ProtoWriter out);

  /** The message's wire bytes. */
  default byte[] toByteArray() {
    ProtoWriter w = new ProtoWriter();
    writeTo(w);
    return w.toByteArray();
  }
}
