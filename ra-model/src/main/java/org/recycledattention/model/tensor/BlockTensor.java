package org.recycledattention.model.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;

/**
 * The block-quantized types, laid out exactly as ggml's {@code block_*} structs ({@code
 * ggml-common.h}): a row is {@code cols / blockSize} blocks of {@code blockBytes} bytes. A type
 * gives
 *
 * <ul>
 *   <li>its kernel, {@link #kernel}: a row dotted with activations prepared in the type's {@link
 *       InputFormat}; per sub-block it multiplies the quantized values with the activations in f32
 *       lanes, applies the scale once, and adds the minimum times the activations' sum over the
 *       sub-block (ggml's {@code bsums}, or Q8_1's {@code s}). The Q8_K types (Q2_K to Q6_K,
 *       IQ4_XS), with 512-bit vectors, instead multiply in 16-bit integer lanes that are the
 *       block's 16 groups of 16 and apply the 16 scales once per block as one vector (see {@link
 *       Q6_KTensor});
 *   <li>two small decoders for element access: {@link #group} (16 quantized values as signed
 *       bytes) and {@link #scales} (per sub-block the scale and minimum, element {@code = scale · q
 *       + min}), from which this class builds {@code get} and row copies, value for value ggml's
 *       {@code dequantize_row_*}.
 * </ul>
 *
 * <p>Everything else (shape, row loops, the batched product) is here once.
 */
public abstract sealed class BlockTensor extends ShapedTensor
    permits Q8_0Tensor, NibbleTensor, Q2_KTensor, Q3_KTensor, Q4_KTensor, Q5_KTensor, Q6_KTensor, IQ4_XSTensor {
  final MemorySegment data;
  /** Bytes of one row. */
  private final long rowBytes;
  /** Blocks in one row. */
  private final int blocks;
  /** Elements per sub-block (one scale and minimum each): 16 or 32. */
  private final int subBlock;
  /** Whether the type has minimums (an offset per sub-block). */
  private final boolean minimums;

  BlockTensor(GgmlType type, InputFormat format, int subBlock, boolean minimums, String name, MemorySegment data, int rows, int cols) {
    super(name, type, format, rows, cols);
    this.subBlock = subBlock;
    this.minimums = minimums;
    this.data = data;
    this.blocks = cols / type.blockSize();
    this.rowBytes = (long) blocks * type.blockBytes();
  }






  /**
   * Elements {@code 16g .. 16g + 15} of the block at byte {@code block}, quantized: 16 signed bytes
   * (for element access; the kernels decode whole blocks their own way).
   */
  abstract ByteVector group(long block, int g);

  /**
   * The block's scale and minimum per sub-block: here the f16 scale first in the block and, for
   * types with minimums, the f16 minimum after it; the K-quants override it.
   */
  void scales(long block, float[] scale, float[] min) {
    scale[0] = Vec.f16(data, block);
    if (minimums) {
      min[0] = Vec.f16(data, block + 2);
    }
  }

  /** The element at flat {@code index}, exactly as ggml's {@code dequantize_row} gives it. */
  @Override
  public final float get(long index) {
    int blockSize = type.blockSize();
    float[] block = new float[blockSize];
    dequantize(index / blockSize * type.blockBytes(), block, 0, new float[16], new float[16], new byte[16]);
    return block[(int) (index % blockSize)];
  }

  @Override
  public final void copyRow(int row, float[] dst, int dstOffset) {
    float[] scale = new float[16];
    float[] min = new float[16];
    byte[] q = new byte[16];
    for (int b = 0; b < blocks; b++) {
      dequantize(row * rowBytes + (long) b * type.blockBytes(), dst, dstOffset + b * type.blockSize(), scale, min, q);
    }
  }

  private void dequantize(long block, float[] dst, int dstOffset, float[] scale, float[] min, byte[] q) {
    scales(block, scale, min);
    for (int g = 0; g < type.blockSize() / 16; g++) {
      group(block, g).intoArray(q, 0);
      int s = 16 * g / subBlock;
      for (int i = 0; i < 16; i++) {
        dst[dstOffset + 16 * g + i] = minimums ? scale[s] * q[i] + min[s] : scale[s] * q[i];
      }
    }
  }

  /** The row dotted with f32 activations, not quantized: the reference the quantized path is tested against. */
  @Override
  public final float dot(int row, float[] x, int xOffset) {
    float[] v = Arrays.copyOfRange(x, xOffset, xOffset + cols);
    return kernel(row * rowBytes, Input.of(InputFormat.F32, v, 1, cols), 0);
  }

  @Override
  public final void dotRows(Input x, int t, float[] out, int outOffset, int from, int to) {
    int xOffset = t * x.cols;
    for (int r = from; r < to; r++) {
      out[outOffset + r] = kernel(r * rowBytes, x, xOffset);
    }
  }

  /**
   * The type's kernel: the row at byte {@code rowOffset} dotted with the prepared vector at {@code
   * x.values[xOffset ..]}. Each type has its own loop (a few share one through constant
   * parameters): a loop shared through a switch or a virtual call per group made the JIT box the
   * vectors once several types had run, 3 to 10 times slower.
   */
  abstract float kernel(long rowOffset, Input x, int xOffset);

  final int blocks() {
    return blocks;
  }

  @Override
  public final void dotRowsBatch(Input x, float[] out, int from, int to) {
    int n = x.count();
    for (int t0 = 0; t0 < n; t0 += MatMul.BATCH_TILE) {
      int t1 = Math.min(n, t0 + MatMul.BATCH_TILE);
      for (int r = from; r < to; r++) {
        for (int t = t0; t < t1; t++) {
          out[t * rows + r] = kernel(r * rowBytes, x, t * x.cols);
        }
      }
    }
  }
}
