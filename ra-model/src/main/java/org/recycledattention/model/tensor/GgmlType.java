package org.recycledattention.model.tensor;

/**
 * GGML tensor types, with their GGUF type id and block geometry ({@code ggml.c}'s {@code
 * type_traits}). Only {@link #supported()} types can be read as a {@link FloatTensor}; the others
 * are listed so that a file using them fails with the type's name, not a number.
 */
public enum GgmlType {
  F32(0, 1, 4, true),
  F16(1, 1, 2, true),
  Q4_0(2, 32, 2 + 16, true),
  Q4_1(3, 32, 2 + 2 + 16, true),
  Q5_0(6, 32, 2 + 4 + 16, true),
  Q5_1(7, 32, 2 + 2 + 4 + 16, true),
  Q8_0(8, 32, 2 + 32, true),
  Q8_1(9, 32, 4 + 4 + 32, false),
  Q2_K(10, 256, 84, true),
  Q3_K(11, 256, 110, true),
  Q4_K(12, 256, 144, true),
  Q5_K(13, 256, 176, true),
  Q6_K(14, 256, 210, true),
  Q8_K(15, 256, 292, false),
  IQ2_XXS(16, 256, 66, false),
  IQ2_XS(17, 256, 74, false),
  IQ3_XXS(18, 256, 98, false),
  IQ1_S(19, 256, 50, false),
  IQ4_NL(20, 32, 18, true),
  IQ3_S(21, 256, 110, false),
  IQ2_S(22, 256, 82, false),
  IQ4_XS(23, 256, 136, true),
  I8(24, 1, 1, false),
  I16(25, 1, 2, false),
  I32(26, 1, 4, false),
  I64(27, 1, 8, false),
  F64(28, 1, 8, false),
  IQ1_M(29, 256, 56, false),
  BF16(30, 1, 2, true),
  TQ1_0(34, 256, 54, false),
  TQ2_0(35, 256, 66, false);

  private final int id;
  private final int blockSize;
  private final int blockBytes;
  private final boolean supported;

  GgmlType(int id, int blockSize, int blockBytes, boolean supported) {
    this.id = id;
    this.blockSize = blockSize;
    this.blockBytes = blockBytes;
    this.supported = supported;
  }

  /** The GGUF type id ({@code ggml_type}). */
  public int id() {
    return id;
  }

  /** Elements per block (1 for plain floats). */
  public int blockSize() {
    return blockSize;
  }

  /** Bytes per block. */
  public int blockBytes() {
    return blockBytes;
  }

  /** Whether {@link FloatTensor#of} reads this type. */
  public boolean supported() {
    return supported;
  }

  /**
   * Bytes of {@code elements} elements, or -1 when {@code elements} is not a whole number of blocks
   * or the size overflows a long.
   */
  public long bytes(long elements) {
    if (elements < 0 || elements % blockSize != 0) {
      return -1;
    }
    long blocks = elements / blockSize;
    if (blocks > Long.MAX_VALUE / blockBytes) {
      return -1;
    }
    return blocks * blockBytes;
  }

  /** The types {@link FloatTensor#of} reads, comma-separated ("F32, F16, ..."), for messages. */
  public static String supportedNames() {
    StringBuilder sb = new StringBuilder();
    for (GgmlType t : values()) {
      if (t.supported) {
        sb.append(sb.isEmpty() ? "" : ", ").append(t.name());
      }
    }
    return sb.toString();
  }

  /** The type with GGUF id {@code id}, or {@code null} when the id is unknown. */
  public static GgmlType byId(int id) {
    for (GgmlType t : values()) {
      if (t.id == id) {
        return t;
      }
    }
    return null;
  }
}
