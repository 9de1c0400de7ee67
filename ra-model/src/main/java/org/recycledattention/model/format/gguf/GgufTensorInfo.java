package org.recycledattention.model.format.gguf;

import org.recycledattention.model.tensor.GgmlType;

/**
 * One entry of a GGUF tensor directory.
 *
 * @param name tensor name ({@code blk.0.attn_q.weight})
 * @param dims dimensions in GGML order: {@code dims[0]} is the row length (fastest varying)
 * @param typeId the raw GGML type id
 * @param type the type, or {@code null} when the id is unknown to this engine
 * @param offset byte offset of the data from the start of the file
 * @param bytes byte size of the data, or -1 when the type is unknown
 * @param infoOffset byte offset of this directory entry, for messages
 */
public record GgufTensorInfo(String name, long[] dims, int typeId, GgmlType type, long offset, long bytes, long infoOffset) {
  /** Elements, the product of the dimensions. */
  public long elements() {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    return n;
  }

  /** The row length, {@code dims[0]}. */
  public long cols() {
    return dims[0];
  }

  /** Rows of the tensor seen as a matrix: the product of {@code dims[1..]}. */
  public long rows() {
    return elements() / dims[0];
  }

  /** The type's name, or {@code type#<id>} when unknown. */
  public String typeName() {
    return type != null ? type.name() : "type#" + typeId;
  }
}
