package org.recycledattention.model.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The row-blocked matrix-vector kernels and the parallel helper's rest hint. */
class KernelRowsTest {
  @Test
  void f32RowsInBlocksOfFourMatchTheOneRowProductAndTheDefinition() {
    Random rnd = new Random(21);
    for (int cols : new int[] {16, 32, 64, 256, 1, 33, 100}) {
      for (int rows = 1; rows <= 11; rows++) {
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextGaussian();
        FloatTensor t = FloatTensor.of(Path.of("t.gguf"), 0, "w", GgmlType.F32, MemorySegment.ofArray(toBytes(w)), rows, cols);
        int vector = rnd.nextInt(3); // the input vector of three the product reads
        int xOffset = vector * cols;
        float[] x = new float[3 * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        int from = rnd.nextInt(rows);
        int to = from + 1 + rnd.nextInt(rows - from);
        float[] out = new float[rows + 2];
        t.dotRows(new Activations().set(x, 3, cols).as(t.inputFormat()), vector, out, 2, from, to);
        for (int r = from; r < to; r++) {
          double expected = 0;
          double scale = 0;
          for (int c = 0; c < cols; c++) {
            expected += (double) w[r * cols + c] * x[xOffset + c];
            scale += Math.abs((double) w[r * cols + c] * x[xOffset + c]);
          }
          assertThat((double) out[2 + r]).as("cols %d rows %d row %d", cols, rows, r).isCloseTo(expected, within(1e-5 * scale + 1e-30));
          // same chain of multiply-adds as dot: equal up to the lane reduction's association
          assertThat(out[2 + r]).isCloseTo(t.dot(r, x, xOffset), within((float) (1e-6 * scale + 1e-30)));
        }
        assertThat(out[0]).isZero();
      }
    }
  }

  private static byte[] toBytes(float[] w) {
    ByteBuffer b = ByteBuffer.allocate(4 * w.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : w) b.putFloat(f);
    return b.array();
  }

  @Test
  void workersSentToRestWakeForTheNextRange() {
    for (int threads : new int[] {2, 3}) {
      try (Parallel p = new Parallel(threads)) {
        for (int round = 0; round < 200; round++) {
          if (round % 3 == 0) {
            p.rest();
          }
          int n = 1 + round % 37;
          AtomicIntegerArray hits = new AtomicIntegerArray(n);
          p.forRange(n, (from, to) -> {
            for (int i = from; i < to; i++) hits.incrementAndGet(i);
          });
          for (int i = 0; i < n; i++) {
            assertThat(hits.get(i)).as("threads %d round %d index %d", threads, round, i).isEqualTo(1);
          }
        }
      }
    }
    Parallel.inline().rest(); // no workers: nothing to do
  }

  @Test
  void fusedProductsEqualTheSeparateOnes() {
    Random rnd = new Random(22);
    int cols = 256;
    int[] rows = {512, 256, 256, 7};
    FloatTensor[] w = new FloatTensor[rows.length];
    for (int i = 0; i < rows.length; i++) {
      float[] a = new float[rows[i] * cols];
      for (int j = 0; j < a.length; j++) a[j] = (float) rnd.nextGaussian();
      w[i] = new ArrayTensor("w" + i, a, rows[i], cols);
    }
    float[] x = new float[cols];
    for (int j = 0; j < cols; j++) x[j] = (float) rnd.nextGaussian();
    for (int threads : new int[] {1, 2, 3}) {
      try (Parallel p = new Parallel(threads)) {
        float[][] fused = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) fused[i] = new float[rows[i]];
        Activations input = new Activations().set(x, 1, cols);
        MatMul.matvecs(w, input, fused, p);
        for (int i = 0; i < rows.length; i++) {
          float[] separate = new float[rows[i]];
          MatMul.matvec(w[i], input, separate, 0, p);
          assertThat(fused[i]).as("threads %d product %d", threads, i).containsExactly(separate, within(1e-4f));
          for (int r = 0; r < rows[i]; r++) {
            assertThat(fused[i][r]).isCloseTo(w[i].dot(r, x, 0), within(1e-4f));
          }
        }
      }
    }
  }
}
