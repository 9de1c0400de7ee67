package org.recycledattention.engine.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.RaException;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.engine.testing.Runtimes;
import org.recycledattention.model.NumericalException;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.testing.RandomModels;

class GeneratorTest {
  private static KvCacheBackend cpu;
  private static final PolicyFactory FULL = Runtimes.full();

  @BeforeAll
  static void backend() {
    cpu = Runtimes.cpu();
  }

  @AfterAll
  static void close() {
    cpu.close();
  }

  private static final int[] PROMPT = {1, 5, 9, 13, 2, 30, 31, 7, 7, 8};

  @Test
  void chunkedMultiQueryPrefillEqualsTokenByTokenPrefill() {
    try (LlamaModel model = RandomModels.random(RandomModels.smallConfig(), 42)) {
      try (Session batched = new Session(model, Runtimes.reference(true), FULL, 1, 64);
          Session single = new Session(model, Runtimes.reference(false), FULL, 1, 64)) {
        float[] a = batched.prefill(PROMPT).clone();
        float[] b = single.prefill(PROMPT).clone();
        assertThat(a).containsExactly(b, within(1e-5f));
        assertThat(batched.step(3)).containsExactly(single.step(3), within(1e-5f));
      }
    }
  }

  @Test
  void promptsLongerThanOneChunkPrefillLikeTokenByToken() {
    ModelConfig longer = new ModelConfig("llama", 32, 48, 2, 4, 2, 8, 40, 512, 1e-5f, 10000f, true, null, false, false);
    int[] prompt = new java.util.Random(17).ints(300, 0, 40).toArray();
    try (LlamaModel model = RandomModels.random(longer, 17);
        Session batched = new Session(model, cpu, FULL, 2, 512);
        Session single = new Session(model, Runtimes.reference(false), FULL, 1, 512)) {
      assertThat(batched.prefill(prompt).clone()).containsExactly(single.prefill(prompt), within(1e-4f));
      assertThat(batched.step(5).clone()).containsExactly(single.step(5), within(1e-4f));
      assertThat(batched.position()).isEqualTo(301);
    }
  }

  @Test
  void cpuBackendAndReferenceCacheGiveTheSameTokensAndThreadsDoNotMatter() {
    ModelConfig bigger = new ModelConfig("qwen2", 256, 512, 2, 8, 2, 32, 300, 128, 1e-6f, 1e6f, false, null, true, true);
    try (LlamaModel model = RandomModels.random(bigger, 7)) {
      GenerationRequest req = GenerationRequest.greedy(PROMPT, 20);
      int[] reference = new Generator(model, Runtimes.reference(true), FULL, 1).generate(req, TokenListener.NONE).tokens();
      assertThat(new Generator(model, cpu, FULL, 1).generate(req, TokenListener.NONE).tokens()).containsExactly(reference);
      assertThat(new Generator(model, cpu, FULL, 2).generate(req, TokenListener.NONE).tokens()).containsExactly(reference);
    }
  }

  @Test
  void streamsEveryTokenAndReportsStatistics() {
    try (LlamaModel model = RandomModels.random(RandomModels.smallConfig(), 3)) {
      List<Integer> streamed = new ArrayList<>();
      GenerationResult r = new Generator(model, cpu, FULL, 1).generate(GenerationRequest.greedy(PROMPT, 12), streamed::add);
      assertThat(r.tokens()).hasSize(12);
      assertThat(streamed).containsExactly(java.util.Arrays.stream(r.tokens()).boxed().toArray(Integer[]::new));
      assertThat(r.promptIds()).containsExactly(PROMPT);
      GenerationStats s = r.stats();
      // 11 decode steps (the 12th token is never fed back) x 2 layers, all full attention
      assertThat(s.fullSteps()).isEqualTo(22);
      assertThat(s.partialSteps()).isZero();
      // decode step i attends prompt + i + 1 entries: mean over i = 0..10
      assertThat(s.meanTokensAttended()).isCloseTo(PROMPT.length + 6, within(1e-9));
      assertThat(s.workingSetChanges()).isZero();
      assertThat(s.peakResidentKvBytes()).isPositive();
      assertThat(s.kvBytesRead()).isPositive();
      assertThat(s.decodeTokensPerSecond()).isPositive();
    }
  }

  @Test
  void promptPlusMaxTokensBeyondTheContextIsAUsageError() {
    try (LlamaModel model = RandomModels.random(RandomModels.smallConfig(), 3)) {
      Generator g = new Generator(model, cpu, FULL, 1);
      assertThatThrownBy(() -> g.generate(GenerationRequest.greedy(PROMPT, 60), TokenListener.NONE))
          .isInstanceOfSatisfying(RaException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
          .hasMessageContaining("context length is 64").hasMessageContaining("70");
      GenerationRequest overflow = new GenerationRequest(PROMPT, 60, SamplingConfig.GREEDY, false, true);
      assertThat(g.generate(overflow, TokenListener.NONE).tokens()).hasSize(60);
    }
  }

  @Test
  void emptyPromptsAndIdsOutsideTheVocabularyAreUsageErrorsNamingTheId() {
    try (LlamaModel model = RandomModels.random(RandomModels.smallConfig(), 3)) {
      Generator g = new Generator(model, cpu, FULL, 1);
      assertThatThrownBy(() -> g.generate(GenerationRequest.greedy(new int[0], 3), TokenListener.NONE))
          .isInstanceOfSatisfying(RaException.class, e -> assertThat(e.exitCode()).isEqualTo(2)).hasMessageContaining("empty");
      assertThatThrownBy(() -> g.generate(GenerationRequest.greedy(new int[] {1, 40}, 3), TokenListener.NONE))
          .isInstanceOfSatisfying(RaException.class, e -> assertThat(e.exitCode()).isEqualTo(2)).hasMessageContaining("token id 40")
          .hasMessageContaining("position 1");
      assertThatThrownBy(() -> g.generate(GenerationRequest.greedy(new int[] {-1}, 3), TokenListener.NONE)).hasMessageContaining("token id -1");
    }
  }

  @Test
  void nanInALayerIsReportedWithTheLayerAndPosition() {
    try (LlamaModel model = RandomModels.random(RandomModels.smallConfig(), 3, 1)) {
      Generator g = new Generator(model, cpu, FULL, 1);
      assertThatThrownBy(() -> g.generate(GenerationRequest.greedy(new int[] {1, 2, 3}, 3), TokenListener.NONE))
          .isInstanceOfSatisfying(NumericalException.class, e -> {
            assertThat(e.layer()).isEqualTo(1);
            assertThat(e.position()).isEqualTo(2);
          }).hasMessageContaining("layer 1").hasMessageContaining("position 2");
    }
  }

  /** A tokenizer that only knows its special ids. */
  private static org.recycledattention.model.tokenizer.Tokenizer idsOnly(int eos) {
    return new org.recycledattention.model.tokenizer.Tokenizer() {
      public int vocabSize() { return 40; }
      public int bos() { return 1; }
      public int eos() { return eos; }
      public String piece(int id) { return "<" + id + ">"; }
      public int[] encode(String text, boolean addBos) { throw new UnsupportedOperationException(); }
      public String decode(int[] ids) { return java.util.Arrays.toString(ids); }
      public StreamingDecoder newDecoder() {
        return new StreamingDecoder() {
          public String next(int id) { return "<" + id + ">"; }
          public String finish() { return ""; }
        };
      }
    };
  }

  @Test
  void stopsAtTheTokenizersEndOfSequenceOnlyWhenAsked() {
    int[] free;
    try (LlamaModel model = RandomModels.random(RandomModels.smallConfig(), 21)) {
      free = new Generator(model, cpu, FULL, 1).generate(GenerationRequest.greedy(PROMPT, 20), TokenListener.NONE).tokens();
    }
    int eos = free[4];
    int first = 0;
    while (free[first] != eos) {
      first++;
    }
    try (LlamaModel model = RandomModels.random(RandomModels.smallConfig(), 21, -1, idsOnly(eos))) {
      Generator g = new Generator(model, cpu, FULL, 1);
      GenerationResult stopped = g.generate(new GenerationRequest(PROMPT, 20, SamplingConfig.GREEDY, true, false), TokenListener.NONE);
      assertThat(stopped.stoppedAtEos()).isTrue();
      assertThat(stopped.tokens()).containsExactly(java.util.Arrays.copyOf(free, first + 1));
      GenerationResult ignored = g.generate(GenerationRequest.greedy(PROMPT, 20), TokenListener.NONE);
      assertThat(ignored.stoppedAtEos()).isFalse();
      assertThat(ignored.tokens()).containsExactly(free);
    }
  }

  @Test
  void aPolicyNeedingWhatTheBackendLacksIsRefusedBeforeAnyWork() {
    PolicyFactory policy = Runtimes.policy("recycled", 8); // needs PARTIAL_CACHE and SCORES
    try (LlamaModel model = RandomModels.random(RandomModels.smallConfig(), 3)) {
      assertThatThrownBy(() -> new Generator(model, Runtimes.reference(true), policy, 1).generate(GenerationRequest.greedy(PROMPT, 2), TokenListener.NONE))
          .isInstanceOfSatisfying(RaException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
          .hasMessageContaining("PARTIAL_CACHE").hasMessageContaining("'reference'");
    }
  }

  @Test
  void sessionsOfOneModelRunConcurrently() throws Exception {
    try (LlamaModel model = RandomModels.random(RandomModels.smallConfig(), 11)) {
      GenerationRequest req = GenerationRequest.greedy(PROMPT, 40);
      int[] expected = new Generator(model, cpu, FULL, 1).generate(req, TokenListener.NONE).tokens();
      List<Thread> threads = new ArrayList<>();
      List<int[]> results = java.util.Collections.synchronizedList(new ArrayList<>());
      for (int t = 0; t < 4; t++) {
        Thread th = new Thread(() -> results.add(new Generator(model, cpu, FULL, 1).generate(req, TokenListener.NONE).tokens()));
        threads.add(th);
        th.start();
      }
      for (Thread th : threads) {
        th.join();
      }
      assertThat(results).hasSize(4).allSatisfy(r -> assertThat(r).containsExactly(expected));
    }
  }

  @Test
  void textIsStreamedInFinalPiecesAndEqualsTheDecodedTokens() {
    try (LlamaModel model = RandomModels.random(RandomModels.smallConfig(), 5, -1, TextStreamTest.tokenizer())) {
      StringBuilder streamed = new StringBuilder();
      List<String> pieces = new ArrayList<>();
      Generator g = new Generator(model, cpu, FULL, 1);
      GenerationResult r = g.generate(GenerationRequest.greedy(PROMPT, 30), TokenListener.NONE, pieces::add);
      pieces.forEach(streamed::append);
      assertThat(pieces).allSatisfy(p -> assertThat(p).isNotEmpty());
      assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
      assertThat(r.text()).isEqualTo(streamed.toString()).isNotEmpty();
      StringBuilder expected = new StringBuilder();
      var decoder = TextStreamTest.tokenizer().newDecoder();
      for (int id : r.tokens()) {
        expected.append(decoder.next(id));
      }
      assertThat(r.text()).isEqualTo(expected.append(decoder.finish()).toString());
    }
  }

  @Test
  void aStopStringEndsGenerationAndTheTextBeforeIt() {
    try (LlamaModel model = RandomModels.random(RandomModels.smallConfig(), 5, -1, TextStreamTest.tokenizer())) {
      Generator g = new Generator(model, cpu, FULL, 1);
      GenerationResult free = g.generate(GenerationRequest.greedy(PROMPT, 30), TokenListener.NONE);
      String text = free.text();
      String stop = text.substring(text.length() / 2, text.length() / 2 + 3);
      int at = text.indexOf(stop);
      StringBuilder streamed = new StringBuilder();
      GenerationRequest req = GenerationRequest.greedy(PROMPT, 30).withStopStrings(List.of(stop));
      GenerationResult r = g.generate(req, TokenListener.NONE, streamed::append);
      assertThat(r.finishReason()).isEqualTo(FinishReason.STOP_STRING);
      assertThat(r.text()).isEqualTo(text.substring(0, at)).isEqualTo(streamed.toString());
      assertThat(r.tokens().length).isLessThan(free.tokens().length);
      assertThat(free.tokens()).startsWith(r.tokens());
    }
  }

  @Test
  void stopStringsNeedATokenizer() {
    try (LlamaModel model = RandomModels.random(RandomModels.smallConfig(), 5)) {
      GenerationRequest req = GenerationRequest.greedy(PROMPT, 3).withStopStrings(List.of("x"));
      assertThatThrownBy(() -> new Generator(model, cpu, FULL, 1).generate(req, TokenListener.NONE))
          .isInstanceOf(GenerationException.class).hasMessageContaining("tokenizer");
    }
  }

  @Test
  void cancellingFromTheListenerStopsBeforeTheNextDecodeStep() {
    try (LlamaModel model = RandomModels.random(RandomModels.smallConfig(), 5)) {
      Cancellation cancel = new Cancellation();
      int[] seen = {0};
      GenerationRequest req = GenerationRequest.greedy(PROMPT, 30).withCancellation(cancel);
      GenerationResult r = new Generator(model, cpu, FULL, 1).generate(req, id -> {
        if (++seen[0] == 3) {
          cancel.cancel();
        }
      });
      assertThat(r.finishReason()).isEqualTo(FinishReason.CANCELLED);
      assertThat(r.tokens()).hasSize(3);
      // the first token comes from the prefill; two decode steps, in each of the model's layers
      assertThat(r.stats().fullSteps()).isEqualTo(2L * model.shape().layers());
    }
  }

  @Test
  void cancellingFromAnotherThreadStopsALongGeneration() throws Exception {
    ModelConfig longer =
        new ModelConfig("llama", 32, 48, 2, 4, 2, 8, 40, 100_000, 1e-5f, 10000f, true, null, false, false);
    try (LlamaModel model = RandomModels.random(longer, 5)) {
      Cancellation cancel = new Cancellation();
      CountDownLatch started = new CountDownLatch(1);
      GenerationRequest req = GenerationRequest.greedy(PROMPT, 90_000).withCancellation(cancel);
      var future = CompletableFuture.supplyAsync(
          () -> new Generator(model, cpu, FULL, 1).generate(req, id -> started.countDown()));
      started.await();
      cancel.cancel();
      GenerationResult r = future.get(30, TimeUnit.SECONDS);
      assertThat(r.finishReason()).isEqualTo(FinishReason.CANCELLED);
      assertThat(r.tokens().length).isLessThan(90_000);
    }
  }

  @Test
  void aRequestCancelledBeforeItStartsDoesNoWork() {
    try (LlamaModel model = RandomModels.random(RandomModels.smallConfig(), 5)) {
      Cancellation cancel = new Cancellation();
      cancel.cancel();
      GenerationRequest req = GenerationRequest.greedy(PROMPT, 30).withCancellation(cancel);
      GenerationResult r = new Generator(model, cpu, FULL, 1).generate(req, TokenListener.NONE);
      assertThat(r.finishReason()).isEqualTo(FinishReason.CANCELLED);
      assertThat(r.tokens()).isEmpty();
    }
  }

  @Test
  void aPrefillStopsBetweenChunksWhenAsked() {
    ModelConfig longer =
        new ModelConfig("llama", 32, 48, 2, 4, 2, 8, 40, 2048, 1e-5f, 10000f, true, null, false, false);
    int[] prompt = new Random(3).ints(1000, 0, 40).toArray();
    try (LlamaModel model = RandomModels.random(longer, 3);
        Session session = new Session(model, Runtimes.reference(true), FULL, 1, 1024)) {
      int[] checks = {0};
      assertThat(session.prefill(prompt, () -> ++checks[0] > 2)).isNull();
      assertThat(session.position()).isEqualTo(2 * Session.PREFILL_CHUNK);
    }
  }
}
