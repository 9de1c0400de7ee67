package org.recycledattention.engine.decode;

import java.nio.file.Path;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.engine.testing.Runtimes;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.model.llama.LlamaModel;

/**
 * Not a unit test: measures greedy decode tokens/s (200 tokens from BOS, full policy, the cpu
 * backend when present) for each model file given, at 1 and 2 threads.
 *
 * <pre>java ... DecodeBench [rounds] file.gguf ...</pre>
 */
public final class DecodeBench {
  private DecodeBench() {}

  public static void main(String[] args) {
    int rounds = Integer.parseInt(args[0]);
    try (KvCacheBackend backend = Runtimes.cpu()) {
      PolicyFactory full = Runtimes.full();
      System.out.println("backend " + backend.name() + ", policy " + full.name());
      for (int a = 1; a < args.length; a++) {
        try (LlamaModel model = Models.loader().load(Path.of(args[a]))) {
          for (int threads : new int[] {1, 2}) {
            Generator g = new Generator(model, backend, full, threads);
            double best = 0;
            double sum = 0;
            int measured = 0;
            long cpuNanos = 0;
            long steps = 0;
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            for (int r = 0; r < rounds; r++) {
              long cpu0 = mx.getCurrentThreadCpuTime();
              GenerationResult res = g.generate(GenerationRequest.greedy(new int[] {1}, 200), TokenListener.NONE);
              long cpu = mx.getCurrentThreadCpuTime() - cpu0;
              double tps = res.stats().decodeTokensPerSecond();
              if (r >= rounds / 2) { // second half: warmed up
                best = Math.max(best, tps);
                sum += tps;
                measured++;
                cpuNanos += cpu;
                steps += res.tokens().length;
              }
            }
            // on a loaded machine wall time is noise; the calling thread's CPU time (prefill included) is not
            System.out.printf("%s threads=%d: decode %.0f tok/s mean, %.0f best (%d warm runs of 200 tokens); %.0f tokens per CPU-second of the caller%n",
                Path.of(args[a]).getFileName(), threads, sum / measured, best, measured, steps / (cpuNanos / 1e9));
          }
        }
      }
    }
  }
}
