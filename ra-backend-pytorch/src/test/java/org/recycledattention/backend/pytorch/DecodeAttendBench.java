package org.recycledattention.backend.pytorch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.tests.Providers;
import org.recycledattention.tests.RandomData;

/**
 * Decode attention latency of one layer at long context, for every KV-cache backend on the class
 * path (pytorch; cpu when its jar is added). Not a unit test: a main, run by hand.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *   -cp target/classes:target/test-classes:$(deps):~/.m2/.../ra-backend-cpu-0.1.0-SNAPSHOT.jar \
 *   org.recycledattention.backend.pytorch.DecodeAttendBench [threads] [dtype]
 * </pre>
 *
 * Shape: 8 query heads, 2 KV heads, head dim 64 (a Llama-3.2-1B-like layer); lengths 4096 and
 * 16384. Per length: the mean of 1000 single-query full attends without scores, with scores (max
 * over the group), and a decode step (append one token, then attend with scores).
 */
public final class DecodeAttendBench {
  private DecodeAttendBench() {}

  public static void main(String[] args) {
    String threads = args.length > 0 ? args[0] : "1";
    String dtype = args.length > 1 ? args[1] : "float32";
    List<String> rows = new ArrayList<>();
    for (KvCacheBackendProvider p : Providers.backends()) {
      if (!p.isAvailable()) {
        System.out.println(p.name() + ": unavailable (" + p.availability().detail() + ")");
        continue;
      }
      Map<String, String> raw = new HashMap<>();
      p.properties().forEach(prop -> {
        if (prop.key().equals("threads")) {
          raw.put("threads", threads);
        } else if (prop.key().equals("dtype")) {
          // backends spell types differently (float32 / f32): take the choice that matches
          String shortName = dtype.replace("float", "f").replace("bfloat", "bf");
          raw.put("dtype", prop.choices().contains(dtype) ? dtype : shortName);
        }
      });
      String prefix = "ra.backend." + p.name() + ".";
      try (KvCacheBackend backend = p.create(ProviderConfig.resolve(prefix, p.properties(), raw))) {
        for (int n : new int[] {4096, 16384}) {
          rows.add(run(backend, n));
        }
      }
    }
    System.out.println("backend  dtype    n       attend(us)  +scores(us)  append+attend+scores(us)");
    rows.forEach(System.out::println);
  }

  private static String run(KvCacheBackend backend, int n) {
    int kv = 2;
    int heads = 8;
    int d = 64;
    int iterations = 1000;
    CacheSpec spec = new CacheSpec(1, heads, kv, d, n + 2 * iterations + 8);
    Random random = new Random(42);
    try (KvCache cache = backend.allocate(spec)) {
      int chunk = 512;
      float[] k = RandomData.gaussian(random, chunk * kv * d, 1);
      float[] v = RandomData.gaussian(random, chunk * kv * d, 1);
      for (int done = 0; done < n; done += chunk) {
        cache.append(0, k, v, RandomData.range(done, chunk), chunk);
      }
      float[] q = RandomData.gaussian(random, heads * d, 1);
      float[] out = new float[q.length];
      float[] k1 = RandomData.gaussian(random, kv * d, 1);
      for (int i = 0; i < 200; i++) {
        cache.attend(0, q, 1, StepPlan.Full.LAST_MAX, out);
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < iterations; i++) {
        cache.attend(0, q, 1, StepPlan.Full.NO_SCORES, out);
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < iterations; i++) {
        cache.attend(0, q, 1, StepPlan.Full.LAST_MAX, out);
      }
      long t2 = System.nanoTime();
      for (int i = 0; i < iterations; i++) {
        cache.append(0, k1, k1, new int[] {n + i}, 1);
        cache.attend(0, q, 1, StepPlan.Full.LAST_MAX, out);
      }
      long t3 = System.nanoTime();
      return String.format("%-8s %-8s %-7d %-11.1f %-12.1f %.1f", backend.name(), backend.storageDtype(), n,
          (t1 - t0) / 1e3 / iterations, (t2 - t1) / 1e3 / iterations, (t3 - t2) / 1e3 / iterations);
    }
  }
}
