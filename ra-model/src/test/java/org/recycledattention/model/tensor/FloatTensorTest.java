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

class FloatTensorTest {
  private static final Path FILE = Path.of("synthetic.gguf");

  /** Random bytes of a tensor of {@code type}, with f16 scales kept finite. */
  private static byte[] randomData(GgmlType type, int rows, int cols, Random rnd) {
    int n = rows * cols;
    ByteBuffer b = ByteBuffer.allocate((int) type.bytes(n)).order(ByteOrder.LITTLE_ENDIAN);
    switch (type) {
      case F32 -> { for (int i = 0; i < n; i++) b.putFloat((float) rnd.nextGaussian()); }
      case F16 -> {
        for (int i = 0; i < n; i++) {
          // every finite half including subnormals and signed zero
          short h;
          do { h = (short) rnd.nextInt(1 << 16); } while ((h & 0x7C00) == 0x7C00);
          b.putShort(h);
        }
      }
      case BF16 -> { for (int i = 0; i < n; i++) b.putShort((short) (Float.floatToIntBits((float) rnd.nextGaussian()) >>> 16)); }
      default -> throw new AssertionError(type);
    }
    return b.array();
  }

  /** Independent reference decoding of element {@code i}, straight from the format description. */
  private static double reference(GgmlType type, byte[] d, int i) {
    ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
    return switch (type) {
      case F32 -> b.getFloat(4 * i);
      case F16 -> Float.float16ToFloat(b.getShort(2 * i));
      case BF16 -> Float.intBitsToFloat((b.getShort(2 * i) & 0xFFFF) << 16);
      default -> throw new AssertionError(type);
    };
  }

  @ParameterizedTest
  @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16"})
  void dotAndDequantizeMatchTheFormatDefinition(GgmlType type) {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    for (int trial = 0; trial < 20; trial++) {
      int rows = 1 + rnd.nextInt(7);
      int cols = 1 + rnd.nextInt(200);
      byte[] data = randomData(type, rows, cols, rnd);
      FloatTensor t = FloatTensor.of(FILE, 0, "w", type, MemorySegment.ofArray(data), rows, cols);
      int xOffset = rnd.nextInt(5);
      float[] x = new float[xOffset + cols];
      for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
      float[] row = new float[cols + 3];
      for (int r = 0; r < rows; r++) {
        double expected = 0;
        double scale = 0;
        for (int c = 0; c < cols; c++) {
          double w = reference(type, data, r * cols + c);
          assertThat(t.get((long) r * cols + c)).as("seed %d element %d,%d", seed, r, c).isEqualTo((float) w);
          expected += w * x[xOffset + c];
          scale += Math.abs(w * x[xOffset + c]);
        }
        assertThat((double) t.dot(r, x, xOffset)).as("seed %d, %s %dx%d row %d", seed, type, rows, cols, r)
            .isCloseTo(expected, within(1e-5 * scale + 1e-30));
        t.copyRow(r, row, 3);
        for (int c = 0; c < cols; c++) {
          assertThat(row[3 + c]).as("seed %d", seed).isEqualTo((float) reference(type, data, r * cols + c));
        }
      }
    }
  }

  @Test
  void halfInfinitiesAndNansSurviveTheVectorConversion() {
    for (short special : new short[] {(short) 0x7C00, (short) 0xFC00, (short) 0x7E00}) {
      ByteBuffer b = ByteBuffer.allocate(2 * 40).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < 40; i++) {
        b.putShort(i == 21 ? special : Float.floatToFloat16(0.5f));
      }
      FloatTensor t = FloatTensor.of(FILE, 0, "w", GgmlType.F16, MemorySegment.ofArray(b.array()), 1, 40);
      float[] x = new float[40];
      Arrays.fill(x, 1f);
      float expected = Float.float16ToFloat(special) + 39 * 0.5f;
      assertThat(Float.valueOf(t.dot(0, x, 0))).as("half 0x%04x", special).isEqualTo(Float.valueOf(expected));
    }
  }

  @Test
  void unsupportedTypeNamesTheTensorAndTypeAndListsTheSupportedOnes() {
    assertThatThrownBy(() -> FloatTensor.of(FILE, 1234, "blk.0.attn_q.weight", GgmlType.IQ2_XS, MemorySegment.ofArray(new byte[1024]), 1, 256))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("blk.0.attn_q.weight").hasMessageContaining("IQ2_XS").hasMessageContaining("1234")
        .hasMessageContaining("supported: F32, F16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS, BF16");
  }

  @Test
  void aHostileTensorNameIsEscapedAndBoundedInTheMessage() {
    // the name comes from the file: a newline in it must not split the error line, nor a huge name flood it
    String name = "blk.0\nattn_q" + "x".repeat(10_000);
    assertThatThrownBy(() -> FloatTensor.of(FILE, 1234, name, GgmlType.IQ2_XS, MemorySegment.ofArray(new byte[1024]), 1, 256))
        .isInstanceOf(ModelFormatException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(1000).contains("blk.0\\nattn_q"));
    assertThatThrownBy(() -> FloatTensor.of(FILE, 1234, name, GgmlType.Q8_0, MemorySegment.ofArray(new byte[4]), 1, 256))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").hasSizeLessThan(1000).contains("truncated"));
  }

  @Test
  void halfActivationsAreRoundedAsLlamaCppRoundsThem() {
    // llama.cpp converts the activations of an F16 (BF16) product to F16 (BF16) first
    ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort(Float.floatToFloat16(1f)).putShort(Float.floatToFloat16(1f));
    FloatTensor t = FloatTensor.of(FILE, 0, "w", GgmlType.F16, MemorySegment.ofArray(b.array()), 1, 2);
    float[] x = {1 + 1f / 4096, 1};
    float[] out = new float[1];
    MatMul.matvec(t, new Activations().set(x, 1, 2), out, 0, Parallel.inline());
    assertThat(out[0]).isEqualTo(2f);
    assertThat(t.dot(0, x, 0)).isEqualTo(2 + 1f / 4096);
  }

  @Test
  void shortDataAndRaggedBlocksAreRejected() {
    assertThatThrownBy(() -> FloatTensor.of(FILE, 0, "t", GgmlType.F32, MemorySegment.ofArray(new byte[15]), 2, 2))
        .isInstanceOf(ModelFormatException.class).hasMessageContaining("truncated");
    assertThatThrownBy(() -> FloatTensor.of(FILE, 0, "t", GgmlType.Q8_0, MemorySegment.ofArray(new byte[1000]), 1, 48))
        .isInstanceOf(ModelFormatException.class).hasMessageContaining("block size 32");
  }

  @Test
  void parallelAndBatchedProductsEqualTheInlineProduct() {
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    int rows = 1024;
    int cols = 256;
    float[] w = new float[rows * cols];
    for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextGaussian();
    ArrayTensor t = new ArrayTensor("w", w, rows, cols);
    int n = 19; // more than one tile of inputs
    float[] x = new float[n * cols];
    for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
    float[] inline = new float[n * rows];
    for (int k = 0; k < n; k++) {
      for (int r = 0; r < rows; r++) inline[k * rows + r] = t.dot(r, x, k * cols);
    }
    try (Parallel p = new Parallel(2)) {
      for (int rep = 0; rep < 10; rep++) {
        float[] out = new float[n * rows];
        MatMul.matmul(t, new Activations().set(x, n, cols), out, p);
        // the Vector API's lane reduction may associate differently once JIT-compiled: compare closely, not exactly
        assertThat(out).as("seed %d", seed).containsExactly(inline, within(1e-3f));
        float[] one = new float[rows];
        MatMul.matvec(t, new Activations().set(x, 1, cols), one, 0, p);
        assertThat(one).as("seed %d", seed).containsExactly(Arrays.copyOf(inline, rows), within(1e-3f));
      }
    }
  }

  @Test
  void parallelRethrowsAChunkFailure() {
    try (Parallel p = new Parallel(2)) {
      assertThatThrownBy(() -> p.forRange(100, (from, to) -> {
        if (from == 0) throw new IllegalStateException("boom");
      })).hasMessage("boom");
      int[] sum = new int[1];
      p.forRange(1, (from, to) -> sum[0] += to - from);
      assertThat(sum[0]).isEqualTo(1);
    }
  }
}
