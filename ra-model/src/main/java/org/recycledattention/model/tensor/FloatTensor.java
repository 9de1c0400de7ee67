package org.recycledattention.model.tensor;

import static java.util.Objects.requireNonNull;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.io.SafeText;

/**
 * A read-only, row-major {@code rows × cols} matrix of weights in one {@link GgmlType}. A vector
 * (a norm weight, a bias) is a single row. Row {@code r} holds flat elements {@code r·cols ..
 * (r+1)·cols}; for block types {@code cols} is a multiple of the block size, so every row starts on
 * a block.
 *
 * <p>Immutable and thread-safe. A tensor over a mapped file is valid while the model that mapped
 * it is open.
 *
 * <p><b>NOTE:</b> an implementation whose kernels read their data with Vector API loads calls
 * {@code Vec.touch} at the start of each such method: that scalar read is what lets the JVM turn a
 * fault on a truncated mapping into an error instead of a crash ({@code TruncatedMappingTest}
 * checks every supported type).
 */
public sealed interface FloatTensor permits ShapedTensor {
  /** The tensor's name in its file ({@code blk.0.attn_q.weight}), for messages. */
  String name();

  GgmlType type();

  int rows();

  int cols();

  /** Elements, {@code rows × cols}. */
  default long size() {
    return (long) rows() * cols();
  }

  /** The element at flat (row-major) {@code index}, dequantized. */
  float get(long index);

  /** The format the kernels want their activations in: ggml's {@code vec_dot_type} of this type. */
  InputFormat inputFormat();

  /**
   * The dot product of row {@code row} with {@code x[xOffset .. xOffset + cols)} as given (not
   * converted to {@link #inputFormat()}), accumulated in f32 with the weights dequantized exactly
   * (as ggml's {@code to_float} does): the reference that the products are tested against.
   */
  float dot(int row, float[] x, int xOffset);

  /**
   * {@code out[outOffset + r]} = row {@code r} dotted with vector {@code t} of {@code x}, for rows
   * {@code from <= r < to}: the body of a matrix-vector product. {@code x} is prepared in {@link
   * #inputFormat()}; the row loop is the type's own, so that its kernel is inlined.
   */
  void dotRows(Input x, int t, float[] out, int outOffset, int from, int to);

  /**
   * The batched form: for rows {@code from <= r < to} and every vector {@code t} of {@code x},
   * {@code out[t · rows + r]} = row {@code r} dotted with vector {@code t}. Each row is read once
   * for a tile of vectors, while it is in the cache.
   */
  default void dotRowsBatch(Input x, float[] out, int from, int to) {
    int n = x.count();
    for (int t0 = 0; t0 < n; t0 += MatMul.BATCH_TILE) {
      int t1 = Math.min(n, t0 + MatMul.BATCH_TILE);
      for (int r = from; r < to; r++) {
        for (int t = t0; t < t1; t++) {
          dotRows(x, t, out, t * rows(), r, r + 1);
        }
      }
    }
  }

  /** Dequantizes row {@code row} into {@code dst[dstOffset .. dstOffset + cols)}. */
  void copyRow(int row, float[] dst, int dstOffset);

  /** Every element as f32, on the heap: for small tensors (norms, biases) and tests only. */
  default float[] toArray() {
    long n = size();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("tensor '" + name() + "' has " + n + " elements, too many for a heap array");
    }
    float[] out = new float[(int) n];
    for (int r = 0; r < rows(); r++) {
      copyRow(r, out, r * cols());
    }
    return out;
  }

  /**
   * A tensor of {@code type} over {@code data}, which must hold at least {@code type.bytes(rows ×
   * cols)} bytes starting at offset 0 (extra bytes are ignored).
   *
   * @param file the file the data came from, for messages
   * @param fileOffset where the data starts in the file, for messages
   * @throws ModelFormatException when the type is unsupported, the shape does not fit the type's
   *     blocks, or {@code data} is too short
   */
  static FloatTensor of(Path file, long fileOffset, String name, GgmlType type, MemorySegment data, long rows, long cols) {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    requireNonNull(data, "data is null");
    String shown = SafeText.of(name); // a name from the file: escaped and bounded in every message
    if (!type.supported()) {
      throw new ModelFormatException(file, fileOffset, "tensor '" + shown + "' has type " + type
          + ", which this engine cannot read (supported: " + GgmlType.supportedNames() + "); convert or re-quantize the model to one of those");
    }
    if (rows < 1 || cols < 1 || rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE) {
      throw new ModelFormatException(file, fileOffset, "tensor '" + shown + "' has shape " + rows + " x " + cols
          + "; expected 1 .. " + Integer.MAX_VALUE + " rows and columns");
    }
    if (cols % type.blockSize() != 0) {
      throw new ModelFormatException(file, fileOffset, "tensor '" + shown + "' of type " + type + " has rows of " + cols
          + " elements, not a multiple of its block size " + type.blockSize());
    }
    long bytes = type.bytes(rows * cols);
    if (bytes < 0) {
      throw new ModelFormatException(file, fileOffset, "tensor '" + shown + "' (" + type + ", " + rows + " x " + cols + ") is too large");
    }
    if (data.byteSize() < bytes) {
      throw new ModelFormatException(file, fileOffset, "tensor '" + shown + "' (" + type + ", " + rows + " x " + cols + ") needs "
          + bytes + " bytes but only " + data.byteSize() + " are available; the file is truncated or corrupt");
    }
    MemorySegment slice = data.asSlice(0, bytes);
    int r = (int) rows;
    int c = (int) cols;
    return switch (type) {
      case F32 -> new F32Tensor(name, slice, r, c);
      case F16 -> new HalfTensor(name, slice, r, c, false);
      case BF16 -> new HalfTensor(name, slice, r, c, true);
      case Q8_0 -> new Q8_0Tensor(name, slice, r, c);
      case Q4_0 -> new Q4_0Tensor(name, slice, r, c);
      case Q4_1 -> new Q4_1Tensor(name, slice, r, c);
      case Q5_0 -> new Q5_0Tensor(name, slice, r, c);
      case Q5_1 -> new Q5_1Tensor(name, slice, r, c);
      case IQ4_NL -> new IQ4_NLTensor(name, slice, r, c);
      case Q2_K -> new Q2_KTensor(name, slice, r, c);
      case Q3_K -> new Q3_KTensor(name, slice, r, c);
      case Q4_K -> new Q4_KTensor(name, slice, r, c);
      case Q5_K -> new Q5_KTensor(name, slice, r, c);
      case Q6_K -> new Q6_KTensor(name, slice, r, c);
      case IQ4_XS -> new IQ4_XSTensor(name, slice, r, c);
      default -> throw new AssertionError(type);
    };
  }
}
