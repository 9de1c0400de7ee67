package org.recycledattention.model.format.gguf;

/** GGUF metadata value types ({@code gguf_type}), with their id. */
public enum GgufValueType {
  UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4), BOOL(7, 1),
  STRING(8, -1), ARRAY(9, -1), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

  private final int id;
  private final int size;

  GgufValueType(int id, int size) {
    this.id = id;
    this.size = size;
  }

  public int id() {
    return id;
  }

  /** Bytes of one value, or -1 for variable-length types (string, array). */
  public int size() {
    return size;
  }

  /** The type with {@code id}, or {@code null}. */
  public static GgufValueType byId(long id) {
    for (GgufValueType t : values()) {
      if (t.id == id) {
        return t;
      }
    }
    return null;
  }
}
