package org.recycledattention.eval.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.engine.testing.Runtimes;
import org.recycledattention.eval.synthetic.SyntheticModels;
import org.recycledattention.eval.synthetic.SyntheticSpec;
import org.recycledattention.model.llama.LlamaModel;

class BenchRunnerTest {
  @Test
  void everyCellIsMeasuredWithItsBytesAndRatios() {
    try (LlamaModel model = SyntheticModels.build(SyntheticSpec.parse("synthetic:tiny"));
        KvCacheBackend backend = Runtimes.cpu()) {
      Map<String, KvCacheBackend> backends = new LinkedHashMap<>();
      backends.put("cpu", backend);
      for (BenchRunner.Fill fill : BenchRunner.Fill.values()) {
        List<BenchCell> cells = new BenchRunner(model).run(new BenchRunner.Options(List.of(256, 512), 20, 4, fill, 1, 7), backends,
            n -> List.of(Runtimes.policy("full", n / 8), Runtimes.policy("local", n / 8), Runtimes.policy("recycled", n / 8)), p -> {});
        assertThat(cells).hasSize(6);
        for (BenchCell c : cells) {
          assertThat(c.decodeTokens()).isEqualTo(20);
          assertThat(c.tokensPerSecond()).isPositive();
          assertThat(c.msPerTokenP10()).isLessThanOrEqualTo(c.msPerTokenMedian());
          assertThat(c.msPerTokenMedian()).isLessThanOrEqualTo(c.msPerTokenP90());
          assertThat(c.kvBytesReadPerToken()).isPositive();
        }
        BenchCell full = cells.get(3);
        BenchCell local = cells.get(4);
        BenchCell recycled = cells.get(5);
        assertThat(full.policy()).isEqualTo("full");
        assertThat(full.speedupVsFull()).isEqualTo(1.0);
        // bytes read per token follow the attended entries: 2 layers x 2 kv heads x 16 dims x 2 (K, V) x 4 bytes
        assertThat(full.kvBytesReadPerToken()).isEqualTo(full.meanTokensAttended() * 2 * 2 * 16 * 2 * backend.storageDtype().bytes());
        assertThat(local.kvBytesReadPerToken()).isLessThan(full.kvBytesReadPerToken() / 4);
        assertThat(local.residentKvBytes()).isLessThan(full.residentKvBytes());
        assertThat(recycled.kvBytesReadPerToken()).isLessThan(full.kvBytesReadPerToken());
        assertThat(recycled.residentKvBytes()).isGreaterThan(full.residentKvBytes()); // C_f + C_p
        assertThat(recycled.theoreticalSpeedup()).isEqualTo(1 / (1.0 / 10 + 64.0 / 513));
        // step kinds: full attention and local have full plans only; recycled both, one full step in ten
        for (BenchCell c : cells) {
          assertThat(c.stepTimes().stream().mapToInt(StepTimes::steps).sum()).isEqualTo(20);
          for (StepTimes t : c.stepTimes()) {
            assertThat(t.msP10()).isLessThanOrEqualTo(t.msMedian());
            assertThat(t.msMedian()).isLessThanOrEqualTo(t.msP90());
            assertThat(t.attentionMsMean() + t.policyMsMean()).isLessThanOrEqualTo(t.msMean());
          }
          assertThat(c.attentionMsPerToken()).isPositive();
          assertThat(c.attentionMsPerToken() + c.policyMsPerToken() + c.denseMsPerToken()).isCloseTo(1e3 / c.tokensPerSecond(),
              org.assertj.core.data.Offset.offset(1e-6));
          assertThat(c.attentionGbPerS()).isPositive();
          assertThat(c.readBandwidthGbPerS()).isNaN();
        }
        assertThat(full.stepTimes()).extracting(StepTimes::kind).containsExactly("full");
        assertThat(local.stepTimes()).extracting(StepTimes::kind).containsExactly("full");
        assertThat(recycled.stepTimes()).extracting(StepTimes::kind).containsExactly("full", "partial");
        assertThat(recycled.stepTimes().get(0).steps()).isEqualTo(2);
        assertThat(recycled.stepTimes().get(0).kvBytesRead()).isGreaterThan(recycled.stepTimes().get(1).kvBytesRead());
        // a recycled full step reads the whole store, which its longer warm-up (it meets full steps one in ten) made longer
        assertThat(recycled.stepTimes().get(0).kvBytesRead()).isBetween(full.kvBytesReadPerToken(), 1.5 * full.kvBytesReadPerToken());
      }
    }
  }

  /** A backend that counts the caches it allocates. */
  private record Counting(KvCacheBackend inner, AtomicInteger caches) implements KvCacheBackend {
    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public Set<BackendCapability> capabilities() {
      return inner.capabilities();
    }

    @Override
    public KvDtype storageDtype() {
      return inner.storageDtype();
    }

    @Override
    public KvCache allocate(CacheSpec spec) {
      caches.incrementAndGet();
      return inner.allocate(spec);
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  /** The JIT warm-up decodes in a session of its own per (backend, policy), so the cells' depths are as asked. */
  @Test
  void theJitWarmsUpInThrowawaySessionsBeforeTheCells() {
    try (LlamaModel model = SyntheticModels.build(SyntheticSpec.parse("synthetic:tiny"));
        KvCacheBackend backend = new Counting(Runtimes.cpu(), new AtomicInteger())) {
      BenchRunner.Options o = new BenchRunner.Options(List.of(256, 300), 8, 2, BenchRunner.Fill.RANDOM, 1, 7);
      List<BenchCell> cells = new BenchRunner(model).run(o, Map.of("cpu", backend),
          n -> List.of(Runtimes.policy("full", n / 8), Runtimes.policy("local", n / 8)), p -> {});
      assertThat(((Counting) backend).caches().get()).as("2 warm-up sessions, 2 cells per context").isEqualTo(2 + 4);
      // the cell at 256: 257 to 257 + 32 warm-up + 8 steps (a mean over its session), no JIT warm-up step
      assertThat(cells.get(0).meanTokensAttended()).isBetween(257.0, 257.0 + 32 + 8);
    }
  }

  @Test
  void readBandwidthIsMeasuredAndArgumentsAreChecked() {
    assertThat(ReadBandwidth.measure(2, 4L << 20, 1)).isPositive().isFinite();
    assertThatThrownBy(() -> ReadBandwidth.measure(0, 4L << 20, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ReadBandwidth.measure(3, 4L << 20, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  /** The vector loop reads every int of its range once, the tail past the last whole step included. */
  @Test
  void readBandwidthSumsEveryIntOfItsRange() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment data = arena.allocate(4096 * 4 + 4 * 7, 64);
      for (int i = 0; i < data.byteSize() / 4; i++) {
        data.setAtIndex(ValueLayout.JAVA_INT, i, i * 31 + 5);
      }
      for (long[] range : new long[][] {{0, data.byteSize()}, {4, data.byteSize() - 8}, {256, 260}, {12, 12}}) {
        int expected = 0;
        for (long o = range[0]; o < range[1]; o += 4) {
          expected += data.get(ValueLayout.JAVA_INT, o);
        }
        assertThat(ReadBandwidth.sum(data, range[0], range[1])).as("bytes %d to %d", range[0], range[1]).isEqualTo(expected);
      }
    }
  }
}
