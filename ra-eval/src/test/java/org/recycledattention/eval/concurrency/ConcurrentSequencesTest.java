package org.recycledattention.eval.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.engine.decode.GenerationRequest;
import org.recycledattention.engine.decode.Generator;
import org.recycledattention.engine.decode.PolicyFactory;
import org.recycledattention.engine.decode.SamplingConfig;
import org.recycledattention.engine.decode.TokenListener;
import org.recycledattention.engine.testing.Runtimes;
import org.recycledattention.eval.synthetic.SyntheticModels;
import org.recycledattention.eval.synthetic.SyntheticSpec;
import org.recycledattention.model.llama.LlamaModel;

/**
 * One loaded model serves several sequences at once: shared read-only weights, one cache and one
 * policy state per sequence. Four sequences on four threads give exactly the tokens of four
 * sequential runs, for every built-in policy on the cpu backend.
 */
class ConcurrentSequencesTest {
  @ParameterizedTest
  @ValueSource(strings = {"full", "local", "h2o", "snapkv", "recycled"})
  void fourThreadsGiveTheTokensOfFourSequentialRuns(String name) throws Exception {
    PolicyFactory policy = Runtimes.policy(name, 16);
    try (LlamaModel model = SyntheticModels.build(SyntheticSpec.parse("synthetic:tiny"));
        KvCacheBackend backend = Runtimes.cpu()) {
      List<GenerationRequest> requests = new ArrayList<>();
      Random r = new Random(5);
      for (int s = 0; s < 4; s++) {
        int[] prompt = new int[40 + 7 * s];
        prompt[0] = 1;
        for (int i = 1; i < prompt.length; i++) {
          prompt[i] = 3 + r.nextInt(500);
        }
        // sampled, not greedy: the sampler's state is per sequence too
        requests.add(new GenerationRequest(prompt, 48, new SamplingConfig(0.8, 40, 0.95, 100 + s), false, false));
      }
      Generator generator = new Generator(model, backend, policy, 1);
      List<int[]> sequential = new ArrayList<>();
      for (GenerationRequest q : requests) {
        sequential.add(generator.generate(q, TokenListener.NONE).tokens());
      }
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<int[]>> futures = new ArrayList<>();
        for (GenerationRequest q : requests) {
          futures.add(pool.submit(() -> generator.generate(q, TokenListener.NONE).tokens()));
        }
        for (int s = 0; s < 4; s++) {
          assertThat(futures.get(s).get()).as("%s sequence %d", name, s).containsExactly(sequential.get(s));
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
