package org.recycledattention.backend.onnx.proto;

/** The element types this project uses, with their {@code TensorProto.DataType} numbers. */
public enum DataType {
  FLOAT(1, 4), INT32(6, 4), INT64(7, 8), BOOL(9, 1), FLOAT16(10, 2), DOUBLE(11, 8);

  private final int code;
  private final int bytes;

  DataType(int code, int bytes) {
    this.code = code;
    this.bytes = bytes;
  }

  /** The {@code TensorProto.DataType} enum value. */
  public int code() {
    return code;
  }

  /** Bytes per element in {@code raw_data}. */
  public int bytes() {
    return bytes;
  }
}
