package org.recycledattention.model.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.recycledattention.model.ModelFormatException;

/**
 * Every block type against {@link GgmlReference} (ggml's dequantization, transcribed) on random
 * blocks: elements and rows bit for bit, and the kernels against dequantize-then-dot in double.
 * Seeded; a failure names the seed.
 */
class BlockTensorTest {
  private static final Path FILE = Path.of("random.gguf");

  private record Case(GgmlType type, int rows, int cols, byte[] data, FloatTensor tensor, float[] dequantized) {}

  private static Case random(GgmlType type, Random rnd) {
    int rows = 1 + rnd.nextInt(5);
    int cols = type.blockSize() * (1 + rnd.nextInt(type.blockSize() == 32 ? 8 : 3));
    int blocks = rows * cols / type.blockSize();
    byte[] data = GgmlReference.randomBlocks(type, blocks, rnd);
    float[] y = new float[rows * cols];
    for (int k = 0; k < blocks; k++) {
      GgmlReference.block(type, data, k * type.blockBytes(), y, k * type.blockSize());
    }
    return new Case(type, rows, cols, data, FloatTensor.of(FILE, 0, "w", type, MemorySegment.ofArray(data), rows, cols), y);
  }

  private static float[] gaussian(Random rnd, int n, double scale) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (rnd.nextGaussian() * scale);
    }
    return x;
  }

  /** A check of one random tensor; {@code seed} (of {@code rnd}) goes into its failure messages. */
  private interface CaseCheck {
    void check(Case c, Random rnd, long seed);
  }

  /** {@code check} on 10 random tensors of {@code type} from a fresh seed. */
  private static void onRandomTensors(GgmlType type, CaseCheck check) {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    for (int trial = 0; trial < 10; trial++) {
      check.check(random(type, rnd), rnd, seed);
    }
  }

  @ParameterizedTest
  @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_XS"})
  void elementsAndRowsAreGgmlsDequantization(GgmlType type) {
    onRandomTensors(type, (c, rnd, seed) -> {
      float[] row = new float[c.cols() + 5];
      for (int r = 0; r < c.rows(); r++) {
        c.tensor().copyRow(r, row, 5);
        for (int i = 0; i < c.cols(); i++) {
          assertThat(row[5 + i]).as("seed %d, %s row %d element %d", seed, type, r, i).isEqualTo(c.dequantized()[r * c.cols() + i]);
        }
      }
      for (int probe = 0; probe < 20; probe++) {
        int i = rnd.nextInt(c.rows() * c.cols());
        assertThat(c.tensor().get(i)).as("seed %d, %s element %d", seed, type, i).isEqualTo(c.dequantized()[i]);
      }
    });
  }

  @ParameterizedTest
  @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_XS"})
  void kernelsEqualDequantizeThenDot(GgmlType type) {
    onRandomTensors(type, (c, rnd, seed) -> {
      int n = 1 + rnd.nextInt(3);
      float[] x = gaussian(rnd, n * c.cols(), 0.1 + rnd.nextDouble() * 10);
      Input in = Input.of(c.tensor().inputFormat(), x, n, c.cols());
      float[] out = new float[n * c.rows()];
      c.tensor().dotRowsBatch(in, out, 0, c.rows());
      for (int t = 0; t < n; t++) {
        float[] single = new float[c.rows() + 2];
        c.tensor().dotRows(in, t, single, 2, 0, c.rows());
        for (int r = 0; r < c.rows(); r++) {
          double expected = 0;
          double magnitude = 0;
          for (int i = 0; i < c.cols(); i++) {
            double p = (double) c.dequantized()[r * c.cols() + i] * in.values()[t * in.stride() + i];
            expected += p;
            magnitude += Math.abs(p);
          }
          if (in.format() == InputFormat.Q8_1) {
            // Q4_1/Q5_1 take the minimum times ggml's f16 block sum s, not times the sum of the rounded values
            for (int b = 0; b < c.cols() / 32; b++) {
              int block = (r * c.cols() / 32 + b) * type.blockBytes();
              double m = Float.float16ToFloat(ByteBuffer.wrap(c.data()).order(ByteOrder.LITTLE_ENDIAN).getShort(block + 2));
              double sum = 0;
              for (int i = 0; i < 32; i++) {
                sum += in.values()[t * in.stride() + 32 * b + i];
              }
              expected += m * (in.sum32(t * in.stride() / 32 + b) - sum);
              magnitude += Math.abs(m * in.sum32(t * in.stride() / 32 + b));
            }
          }
          String what = String.format("seed %d, %s %dx%d, vector %d, row %d", seed, type, c.rows(), c.cols(), t, r);
          assertThat((double) single[2 + r]).as(what).isCloseTo(expected, within(2e-6 * magnitude + 1e-30));
          // the same kernel, but the Vector API leaves the order of reduceLanes(ADD) open: an interpreted
          // and a C2-compiled call may differ in the last bits (seen once: 1 ulp, Q4_0)
          assertThat(out[t * c.rows() + r]).as(what + ", batched")
              .isCloseTo(single[2 + r], within((float) (1e-6 * magnitude) + 1e-30f));
        }
      }
      // the unquantized reference path
      for (int r = 0; r < c.rows(); r++) {
        double expected = 0;
        double magnitude = 0;
        for (int i = 0; i < c.cols(); i++) {
          expected += (double) c.dequantized()[r * c.cols() + i] * x[i];
          magnitude += Math.abs((double) c.dequantized()[r * c.cols() + i] * x[i]);
        }
        assertThat((double) c.tensor().dot(r, x, 0)).as("seed %d, %s f32 row %d", seed, type, r).isCloseTo(expected, within(2e-6 * magnitude + 1e-30));
      }
    });
  }

  /**
   * Q8_0 against Q8_0 activations as ggml computes it ({@code ggml_vec_dot_q8_0_q8_0}): per block the
   * exact integer sum of the 32 products of quantized values, times {@code d_w · d_x} in f32, summed
   * over the blocks. The kernel equals it up to the order of the f32 additions, with even and odd
   * block counts, and at the extremes: weights of -128 or 127 against activations quantized to ±127,
   * where a 16-bit sum of more than two products would overflow.
   */
  @Test
  void q8_0KernelIsGgmlsIntegerDotProduct() {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    for (int trial = 0; trial < 60; trial++) {
      int rows = 1 + rnd.nextInt(4);
      int blocks = 1 + rnd.nextInt(9);
      int cols = 32 * blocks;
      byte[] data = GgmlReference.randomBlocks(GgmlType.Q8_0, rows * blocks, rnd);
      float[] x = gaussian(rnd, cols, 0.1 + rnd.nextDouble() * 10);
      if (trial % 3 == 0) {
        for (int k = 0; k < rows * blocks; k++) {
          byte w = rnd.nextBoolean() ? (byte) -128 : (byte) 127;
          Arrays.fill(data, 34 * k + 2, 34 * k + 34, w);
        }
        for (int b = 0; b < blocks; b++) {
          Arrays.fill(x, 32 * b, 32 * b + 32, rnd.nextBoolean() ? 3.5f : -3.5f);
        }
      }
      FloatTensor t = FloatTensor.of(FILE, 0, "w", GgmlType.Q8_0, MemorySegment.ofArray(data), rows, cols);
      float[] out = new float[rows];
      t.dotRows(Input.of(InputFormat.Q8_0, x, 1, cols), 0, out, 0, 0, rows);
      for (int r = 0; r < rows; r++) {
        double expected = 0;
        double magnitude = 0;
        for (int b = 0; b < blocks; b++) {
          float amax = 0;
          for (int i = 0; i < 32; i++) {
            amax = Math.max(amax, Math.abs(x[32 * b + i]));
          }
          float id = amax != 0 ? 127f / amax : 0f;
          int at = 34 * (r * blocks + b);
          int sum = 0;
          int products = 0;
          for (int i = 0; i < 32; i++) {
            int p = data[at + 2 + i] * (int) Math.rint(x[32 * b + i] * id);
            sum += p;
            products += Math.abs(p);
          }
          float dw = Float.float16ToFloat((short) ((data[at] & 0xFF) | data[at + 1] << 8));
          float dx = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
          float d = dw * dx;
          expected += sum * d;
          // the integer kernel (512-bit vectors) rounds only its f32 sum of the blocks' terms; the f32
          // fallback also each product's sum, as kernelsEqualDequantizeThenDot allows
          magnitude += Vec.GROUP_LANES ? Math.abs(sum * d) : 2 * products * Math.abs((double) d);
        }
        assertThat((double) out[r]).as("seed %d trial %d row %d of %d blocks", seed, trial, r, blocks)
            .isCloseTo(expected, within(1e-6 * magnitude + 1e-30));
      }
    }
  }

  /** Sizes come from the file's header: a row that is not whole blocks, or data that ends early, is a one-line error, never a read past the end. */
  @ParameterizedTest
  @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_XS"})
  void raggedRowsAndShortDataAreRejectedNamingTheTensor(GgmlType type) {
    int cols = 2 * type.blockSize();
    byte[] enough = new byte[(int) type.bytes(3L * cols)];
    assertThatThrownBy(() -> FloatTensor.of(FILE, 77, "blk.0.ffn_up.weight", type, MemorySegment.ofArray(enough), 3, cols + 16))
        .isInstanceOf(ModelFormatException.class).hasMessageContaining("blk.0.ffn_up.weight").hasMessageContaining("block size " + type.blockSize());
    assertThatThrownBy(() -> FloatTensor.of(FILE, 77, "blk.0.ffn_up.weight", type, MemorySegment.ofArray(new byte[enough.length - 1]), 3, cols))
        .isInstanceOf(ModelFormatException.class).hasMessageContaining("truncated").hasMessageContaining(String.valueOf(enough.length));
  }

  /**
   * Any bytes decode: a block whose f16 scales are infinities or NaN gives non-finite values (which
   * the forward pass reports naming the layer), and the last block of a tensor never reads past its
   * end (the kernels' 16-byte loads stay inside the block).
   */
  @ParameterizedTest
  @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_XS"})
  void everyByteDecodesWithoutReadingPastTheTensor(GgmlType type) {
    Random rnd = new Random(type.ordinal());
    int cols = type.blockSize();
    byte[] data = new byte[(int) type.bytes(cols)];
    rnd.nextBytes(data);
    Arrays.fill(data, (byte) 0x7C); // f16 0x7C7C: NaN wherever a scale sits
    FloatTensor t = FloatTensor.of(FILE, 0, "w", type, MemorySegment.ofArray(data), 1, cols);
    float[] x = gaussian(rnd, cols, 1);
    float[] out = new float[1];
    MatMul.matvec(t, new Activations().set(x, 1, cols), out, 0, Parallel.inline());
    assertThat(out[0]).isNaN();
    rnd.nextBytes(data);
    MatMul.matvec(t, new Activations().set(x, 1, cols), out, 0, Parallel.inline());
    float[] row = new float[cols];
    t.copyRow(0, row, 0);
    assertThat(row).hasSize(cols);
  }
}
