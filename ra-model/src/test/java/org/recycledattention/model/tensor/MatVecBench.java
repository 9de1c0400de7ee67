package org.recycledattention.model.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Not a unit test: the single-thread matrix-vector product of every weight type on random weights
 * ({@code rows × cols}, default 1024 × 4096), in nanoseconds per 256 weights and weight GB/s, from
 * the calling thread's CPU time (so a busy machine slows the wall clock, not the figure). Q8_0 has a
 * second line, {@code Q8_0/f32}: its f32 kernel (the fallback without 512-bit vectors) on the same
 * activations, beside the integer kernel that {@code Q8_0} measures.
 *
 * <pre>java [-Dmapped=true] ... MatVecBench [rows cols [TYPE ...]]</pre>
 *
 * <p>With {@code -Dmapped=true} the weights are read from a mapped file instead of allocated memory.
 *
 * <p><b>One JVM run is one sample of the JIT.</b> At 65536 × 2048 Q8_0 (142 MB, past the caches) the
 * f32 kernel's rate, with the int-indexed block loop it had until 2026-12-06, was bimodal from one
 * JVM run to the next on the 2-core VM of the README: 13–14 GB/s or 18–22, whether mapped or
 * allocated and wherever the bytes started. In the slow runs C2 had unrolled the block loop eight
 * times, in the fast ones less (with {@code -Xbatch} always eight; with {@code -XX:LoopMaxUnroll=4}
 * or a {@code long}-indexed loop, which Q8_0's f32 fallback now has, 21–25 GB/s in every run);
 * cache-resident sizes read the same either way. Compare variants over several JVM runs. An earlier
 * version of this comment blamed the mapped file and a page-aligned start for the slow runs: that
 * was this bimodality. With the f32 kernel, mapped weights were slower in the whole 1B model too
 * ({@link ModelMatVecBench}), for a reason not found; the integer kernel reads them at full speed.
 */
public final class MatVecBench {
  private MatVecBench() {}

  /** Gaussian values as F32, F16 or BF16. */
  private static byte[] dense(GgmlType type, int n, Random rnd) {
    ByteBuffer b = ByteBuffer.allocate((int) type.bytes(n)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      float v = (float) rnd.nextGaussian();
      switch (type) {
        case F32 -> b.putFloat(v);
        case F16 -> b.putShort(Float.floatToFloat16(v));
        default -> b.putShort(HalfTensor.toBf16(v));
      }
    }
    return b.array();
  }

  /** {@code data} written to a temporary file and mapped read-only, as {@code ra} maps a model by default. */
  private static MemorySegment mapped(byte[] data) throws IOException {
    Path f = Files.createTempFile("matvec-bench", ".bin");
    try (FileChannel ch = FileChannel.open(Files.write(f, data))) {
      return ch.map(FileChannel.MapMode.READ_ONLY, 0, data.length, Arena.ofAuto());
    } finally {
      Files.delete(f);
    }
  }

  public static void main(String[] args) {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
    int cols = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
    String[] types = args.length > 2 ? Arrays.copyOfRange(args, 2, args.length)
        : new String[] {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_XS"};
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Random rnd = new Random(1);
    float[] x = new float[cols];
    for (int i = 0; i < cols; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    System.out.printf("%dx%d, %d float lanes%n", rows, cols, Vec.FL);
    for (String name : types) {
      GgmlType type = GgmlType.valueOf(name);
      byte[] data = type.blockSize() > 1 ? GgmlReference.randomBlocks(type, rows * cols / type.blockSize(), rnd) : dense(type, rows * cols, rnd);
      // off-heap, as a model file read with --no-mmap is; -Dmapped=true: a mapped file, as by default
      MemorySegment segment;
      if (Boolean.getBoolean("mapped")) {
        try {
          segment = mapped(data);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      } else {
        segment = Arena.ofAuto().allocate(data.length, 64).copyFrom(MemorySegment.ofArray(data));
      }
      FloatTensor t = FloatTensor.of(Path.of("bench"), 0, "w", type, segment, rows, cols);
      Activations a = new Activations().set(x, 1, cols);
      float[] out = new float[rows];
      double best = best(mx, () -> MatMul.matvec(t, a, out, 0, Parallel.inline()));
      System.out.printf("%-9s %7.1f ns per 256 weights  %6.2f GB/s of weights%n", name,
          best / ((double) rows * cols / 256), data.length / best);
      if (type == GgmlType.Q8_0) {
        // the f32 kernel (the fallback without 512-bit vectors) on the same quantized activations
        Input floats = Input.of(InputFormat.F32, a.as(InputFormat.Q8_0).values(), 1, cols);
        best = best(mx, () -> t.dotRows(floats, 0, out, 0, 0, rows));
        System.out.printf("%-9s %7.1f ns per 256 weights  %6.2f GB/s of weights%n", "Q8_0/f32",
            best / ((double) rows * cols / 256), data.length / best);
      }
    }
  }

  /** The least CPU time of one run of {@code product}, over 12 rounds of at least 100 ms each. */
  private static double best(ThreadMXBean mx, Runnable product) {
    double best = Double.MAX_VALUE;
    for (int round = 0; round < 12; round++) {
      long t0 = mx.getCurrentThreadCpuTime();
      int reps = 0;
      do {
        product.run();
        reps++;
      } while (mx.getCurrentThreadCpuTime() - t0 < 100_000_000L);
      best = Math.min(best, (mx.getCurrentThreadCpuTime() - t0) / (double) reps);
    }
    return best;
  }
}
