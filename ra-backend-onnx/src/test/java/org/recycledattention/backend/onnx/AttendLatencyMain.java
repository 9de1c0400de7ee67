package org.recycledattention.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.backend.onnx.proto.DataType;
import org.recycledattention.backend.onnx.proto.Dim;
import org.recycledattention.backend.onnx.proto.GraphBuilder;
import org.recycledattention.tests.Providers;
import org.recycledattention.tests.RandomData;

/**
 * Measures decode attention latency (one query, one layer) of the onnx backend and, when its jar is
 * on the class path, the cpu backend; and where an ONNX Runtime call spends its time on tiny
 * inputs. Not a unit test: run it by hand.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -cp test-classes:classes:deps... \
 *     org.recycledattention.backend.onnx.AttendLatencyMain [lengths...]
 * </pre>
 */
public final class AttendLatencyMain {
  private static final int QUERY_HEADS = 8;
  private static final int KV_HEADS = 2;
  private static final int DIM = 64;

  private AttendLatencyMain() {}

  public static void main(String[] args) throws Exception {
    int[] lengths = args.length == 0 ? new int[] {4096, 16384} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    List<String> names = Providers.backends().stream().map(KvCacheBackendProvider::name).toList();
    System.out.printf("backends on the class path: %s; cores: %d%n", names, Runtime.getRuntime().availableProcessors());
    System.out.printf("decode attend, one layer, queryHeads=%d kvHeads=%d headDim=%d, microseconds per call (median / mean)%n", QUERY_HEADS, KV_HEADS, DIM);
    for (String name : List.of("onnx", "cpu")) {
      if (!names.contains(name)) {
        System.out.println("  " + name + ": not on the class path");
        continue;
      }
      KvCacheBackendProvider p = Providers.backend(name);
      for (String threads : List.of("1", "2")) {
        try (KvCacheBackend backend = Providers.create(p, Map.of("threads", threads))) {
          for (int n : lengths) {
            double[] none = time(backend, n, StepPlan.Full.NO_SCORES);
            double[] scores = time(backend, n, StepPlan.Full.LAST_MAX);
            double gb = 2.0 * KV_HEADS * n * DIM * Float.BYTES / 1e9;
            System.out.printf("  %-5s threads=%s n=%6d: no scores %8.1f / %8.1f us (%5.1f GB/s)   with scores %8.1f / %8.1f us%n",
                name, threads, n, none[0], none[1], gb / (none[0] * 1e-6), scores[0], scores[1]);
          }
          for (int n : new int[] {1, 16}) {
            double[] tiny = time(backend, n, StepPlan.Full.NO_SCORES);
            System.out.printf("  %-5s threads=%s n=%6d: %8.1f / %8.1f us (per-call overhead)%n", name, threads, n, tiny[0], tiny[1]);
          }
        }
      }
    }
    for (int n : lengths) {
      double[] read = readBaseline(n);
      double gb = 2.0 * KV_HEADS * n * DIM * Float.BYTES / 1e9;
      System.out.printf("  bound n=%6d: one Java thread summing the same %.1f MB of native floats: %8.1f / %8.1f us (%5.1f GB/s)%n",
          n, gb * 1e3, read[0], read[1], gb / (read[0] * 1e-6));
    }
    overheadBreakdown();
  }

  /** Median and mean microseconds to read the keys and values of {@code n} entries once (a bandwidth bound). */
  private static double[] readBaseline(int n) {
    long floats = 2L * KV_HEADS * n * DIM;
    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
      java.lang.foreign.MemorySegment s = arena.allocate(floats * Float.BYTES, 64);
      for (long i = 0; i < floats; i++) {
        s.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, i % 7);
      }
      int iterations = 300;
      long[] ns = new long[iterations];
      float sink = 0;
      for (int it = 0; it < iterations; it++) {
        long t0 = System.nanoTime();
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (long i = 0; i < floats; i += 4) {
          a0 += s.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i);
          a1 += s.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i + 1);
          a2 += s.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i + 2);
          a3 += s.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i + 3);
        }
        sink += a0 + a1 + a2 + a3;
        ns[it] = System.nanoTime() - t0;
      }
      if (sink == 42) {
        System.out.print("");
      }
      return stats(ns);
    }
  }

  /** Median and mean microseconds of one decode attend over {@code n} entries. */
  private static double[] time(KvCacheBackend backend, int n, StepPlan plan) {
    Random random = new Random(n);
    try (KvCache cache = backend.allocate(new CacheSpec(1, QUERY_HEADS, KV_HEADS, DIM, n))) {
      int chunk = 1024;
      for (int done = 0; done < n; done += chunk) {
        int t = Math.min(chunk, n - done);
        cache.append(0, RandomData.gaussian(random, t * KV_HEADS * DIM, 1), RandomData.gaussian(random, t * KV_HEADS * DIM, 1), RandomData.range(done, t), t);
      }
      float[] q = RandomData.gaussian(random, QUERY_HEADS * DIM, 1);
      float[] out = new float[q.length];
      int iterations = n >= 8192 ? 200 : 1000;
      for (int i = 0; i < iterations / 4; i++) {
        cache.attend(0, q, 1, plan, out);
      }
      long[] ns = new long[iterations];
      for (int i = 0; i < iterations; i++) {
        long t0 = System.nanoTime();
        cache.attend(0, q, 1, plan, out);
        ns[i] = System.nanoTime() - t0;
      }
      return stats(ns);
    }
  }

  private static double[] stats(long[] ns) {
    long[] s = ns.clone();
    Arrays.sort(s);
    return new double[] {s[s.length / 2] / 1e3, Arrays.stream(s).average().orElseThrow() / 1e3};
  }

  /** Where a tiny ONNX Runtime call spends its time: tensor handles, an empty run, the attention graph. */
  private static void overheadBreakdown() throws Exception {
    System.out.println("ONNX Runtime per-call overhead on tiny inputs (median / mean us, threads=1):");
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int iterations = 20000;
    NativeBuffer buffer = new NativeBuffer();
    buffer.ensure(4096);
    long[] ns = new long[iterations];
    for (int i = 0; i < iterations; i++) {
      long t0 = System.nanoTime();
      OnnxTensor t = OnnxTensor.createTensor(env, buffer.floats(16 * DIM), new long[] {16, DIM});
      t.close();
      ns[i] = System.nanoTime() - t0;
    }
    double[] create = stats(ns);
    System.out.printf("  create + close one OnnxTensor over a native buffer: %6.2f / %6.2f us%n", create[0], create[1]);

    GraphBuilder g = new GraphBuilder("identity");
    g.opTo("y", "Identity", List.of(g.input("x", DataType.FLOAT, Dim.of("n"), Dim.of(DIM))));
    g.output("y", DataType.FLOAT, Dim.of("n"), Dim.of(DIM));
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(1);
      try (OrtSession s = env.createSession(g.toModelBytes(), o); OnnxTensor x = OnnxTensor.createTensor(env, buffer.floats(DIM), new long[] {1, DIM})) {
        for (int i = 0; i < iterations; i++) {
          long t0 = System.nanoTime();
          try (OrtSession.Result r = s.run(Map.of("x", x))) {
            ns[i] = System.nanoTime() - t0;
          }
        }
        double[] run = stats(ns);
        System.out.printf("  OrtSession.run of a one-node Identity graph (output allocated by ORT): %6.2f / %6.2f us%n", run[0], run[1]);
        try (OnnxTensor y = OnnxTensor.createTensor(env, FloatBuffer.allocate(DIM), new long[] {1, DIM})) {
          OnnxTensor pinned = OnnxTensor.createTensor(env, buffer.floats(DIM), new long[] {1, DIM});
          for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            try (OrtSession.Result r = s.run(Map.of("x", x), Map.of("y", pinned))) {
              ns[i] = System.nanoTime() - t0;
            }
          }
          pinned.close();
          double[] runPinned = stats(ns);
          System.out.printf("  the same with a pinned output: %6.2f / %6.2f us%n", runPinned[0], runPinned[1]);
        }
      }
    }
    buffer.close();
    try (OnnxBackend backend = OnnxBackend.create(new OnnxSettings(1, OnnxSettings.ExecutionProvider.CPU, OnnxSettings.Optimization.ALL))) {
      double[] tiny = time(backend, 1, StepPlan.Full.NO_SCORES);
      System.out.printf("  whole attend, n=1 (%d tensor handles, %d-node graph): %6.2f / %6.2f us%n", 4 * KV_HEADS,
          3 * KV_HEADS, tiny[0], tiny[1]);
    }
  }

}
