package org.recycledattention.tests;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.plan.ScoreMode;
import org.recycledattention.api.plan.StepPlan;

/**
 * A plain, obviously-correct model of a {@link org.recycledattention.api.cache.KvCache}: entries as
 * lists of (position, key, value) per layer and KV head, attention in double precision, straight
 * from the definitions in the {@code cache} and {@code policy} package documentation. Slow on
 * purpose; the backend suite compares every backend with it.
 *
 * <p>Conventions it encodes (the contract): query head {@code h} reads KV head {@code h / group};
 * scale {@code 1/sqrt(headDim)}; eviction moves the last entry into the freed slot; a {@code Full}
 * plan with {@code m} queries is causal over the last {@code m} entries; a {@code Partial} plan reads
 * the partial cache then the newest main-store entry; scores are probabilities reduced over each
 * group, and {@link ScoreMode#SUM} reduces each query's probabilities over the group and then sums over
 * the queries.
 *
 * <p>Not thread-safe.
 */
public final class ReferenceAttention {
  /** One cached token of one KV head. */
  public record Entry(int position, float[] key, float[] value) {}

  /**
   * The result of one attend.
   *
   * @param output {@code queries × queryHeads × headDim}
   * @param attended entries the newest query read
   * @param scores {@code kvHeads × attended} as the plan asked, or {@code null}
   */
  public record Result(double[] output, int attended, double[][] scores) {}

  private final CacheSpec spec;
  private final KvDtype storage;
  private final List<List<List<Entry>>> main = new ArrayList<>();
  private final List<List<List<Entry>>> partial = new ArrayList<>();

  /** Keys and values kept exactly (f32). */
  public ReferenceAttention(CacheSpec spec) {
    this(spec, KvDtype.F32);
  }

  /**
   * Keys and values rounded to {@code storage} as they are appended ({@link #stored}), so that a backend
   * storing f16 or bf16 can be compared tightly: the remaining difference is the backend's arithmetic.
   */
  public ReferenceAttention(CacheSpec spec, KvDtype storage) {
    this.spec = requireNonNull(spec, "spec is null");
    this.storage = requireNonNull(storage, "storage is null");
    for (int l = 0; l < spec.layers(); l++) {
      List<List<Entry>> m = new ArrayList<>();
      List<List<Entry>> p = new ArrayList<>();
      for (int h = 0; h < spec.kvHeads(); h++) {
        m.add(new ArrayList<>());
        p.add(new ArrayList<>());
      }
      main.add(m);
      partial.add(p);
    }
  }

  public CacheSpec spec() {
    return spec;
  }

  /**
   * The value a cache storing {@code dtype} keeps for {@code x}: f16 as {@link Float#floatToFloat16};
   * bf16 the upper 16 bits, rounded to nearest even (NaN stays NaN).
   */
  public static float stored(float x, KvDtype dtype) {
    return switch (dtype) {
      case F32 -> x;
      case F16 -> Float.float16ToFloat(Float.floatToFloat16(x));
      case BF16 -> {
        int bits = Float.floatToRawIntBits(x);
        int rounded = Float.isNaN(x) ? (bits >>> 16) | 0x0040 : (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
        yield Float.intBitsToFloat(rounded << 16);
      }
    };
  }

  private float[] stored(float[] a, int from, int to) {
    float[] out = Arrays.copyOfRange(a, from, to);
    for (int i = 0; i < out.length; i++) {
      out[i] = stored(out[i], storage);
    }
    return out;
  }

  /**
   * Appends {@code tokens} random keys and values (standard normal, drawn from {@code random}, keys
   * first) at positions {@code from, from + 1, ...} to {@code layer} of both {@code cache} and this
   * reference, which then hold the same entries: the usual start of a backend test.
   */
  public void appendRandom(KvCache cache, int layer, int from, int tokens, RandomGenerator random) {
    int width = tokens * spec.kvHeads() * spec.headDim();
    float[] k = RandomData.gaussian(random, width, 1.0);
    float[] v = RandomData.gaussian(random, width, 1.0);
    int[] positions = RandomData.range(from, tokens);
    cache.append(layer, k, v, positions, tokens);
    append(layer, k, v, positions, tokens);
  }

  /** As {@code KvCache.append}: {@code k}, {@code v} are {@code tokens × kvHeads × headDim}. */
  public void append(int layer, float[] k, float[] v, int[] positions, int tokens) {
    int d = spec.headDim();
    for (int t = 0; t < tokens; t++) {
      for (int h = 0; h < spec.kvHeads(); h++) {
        int off = (t * spec.kvHeads() + h) * d;
        main.get(layer).get(h).add(new Entry(positions[t], stored(k, off, off + d), stored(v, off, off + d)));
      }
    }
  }

  public int length(int layer) {
    return main.get(layer).get(0).size();
  }

  public int partialLength(int layer) {
    return partial.get(layer).get(0).size();
  }

  public int position(int layer, int kvHead, int slot) {
    return main.get(layer).get(kvHead).get(slot).position();
  }

  public int partialPosition(int layer, int kvHead, int slot) {
    return partial.get(layer).get(kvHead).get(slot).position();
  }

  /** Swap-remove of {@code slotPerHead[h]} in every head; clears the partial cache. */
  public void evict(int layer, int[] slotPerHead) {
    for (int h = 0; h < spec.kvHeads(); h++) {
      List<Entry> es = main.get(layer).get(h);
      Entry last = es.removeLast();
      if (slotPerHead[h] < es.size()) {
        es.set(slotPerHead[h], last);
      }
    }
    clearPartial(layer);
  }

  /** Keeps only the selected entries, in selection order; clears the partial cache. */
  public void retain(int layer, Selection selection) {
    for (int h = 0; h < spec.kvHeads(); h++) {
      List<Entry> es = main.get(layer).get(h);
      List<Entry> kept = new ArrayList<>();
      for (int i = 0; i < selection.size(); i++) {
        kept.add(es.get(selection.slot(h, i)));
      }
      es.clear();
      es.addAll(kept);
    }
    clearPartial(layer);
  }

  public void gatherPartial(int layer, Selection selection) {
    for (int h = 0; h < spec.kvHeads(); h++) {
      List<Entry> es = main.get(layer).get(h);
      List<Entry> p = partial.get(layer).get(h);
      p.clear();
      for (int i = 0; i < selection.size(); i++) {
        p.add(es.get(selection.slot(h, i)));
      }
    }
  }

  public void appendToPartial(int layer, int[] replaceSlotPerHead) {
    for (int h = 0; h < spec.kvHeads(); h++) {
      Entry newest = main.get(layer).get(h).getLast();
      List<Entry> p = partial.get(layer).get(h);
      if (replaceSlotPerHead[h] < 0) {
        p.add(newest);
      } else {
        p.set(replaceSlotPerHead[h], newest);
      }
    }
  }

  public void clearPartial(int layer) {
    for (List<Entry> p : partial.get(layer)) {
      p.clear();
    }
  }

  /** Key/value bytes of every entry of every layer (main plus partial) at {@code dtype}. */
  public long residentBytes(KvDtype dtype) {
    long entries = 0;
    for (int l = 0; l < spec.layers(); l++) {
      entries += length(l) + partialLength(l);
    }
    return entries * spec.kvHeads() * spec.headDim() * 2L * dtype.bytes();
  }

  /** As {@code KvCache.attend}, in double precision. */
  public Result attend(int layer, float[] q, int queries, StepPlan plan) {
    int d = spec.headDim();
    int group = spec.groupSize();
    int qHeads = spec.queryHeads();
    int kvHeads = spec.kvHeads();
    double scale = 1.0 / Math.sqrt(d);
    double[] out = new double[queries * qHeads * d];
    boolean partialPlan = plan instanceof StepPlan.Partial;
    int attended = partialPlan ? partialLength(layer) + 1 : length(layer);
    ScoreMode mode = plan.scores().mode();
    GroupReduction reduction = plan.scores().reduction();
    double[][] scores = mode == ScoreMode.NONE ? null : new double[kvHeads][attended];
    for (int kv = 0; kv < kvHeads; kv++) {
      List<Entry> entries = new ArrayList<>();
      if (partialPlan) {
        entries.addAll(partial.get(layer).get(kv));
        entries.add(main.get(layer).get(kv).getLast());
      } else {
        entries.addAll(main.get(layer).get(kv));
      }
      for (int i = 0; i < queries; i++) {
        int visible = partialPlan ? entries.size() : entries.size() - queries + i + 1;
        double[][] probs = new double[group][];
        for (int g = 0; g < group; g++) {
          int qh = kv * group + g;
          int qOff = (i * qHeads + qh) * d;
          double[] logits = new double[visible];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < visible; j++) {
            float[] key = entries.get(j).key();
            double dot = 0;
            for (int c = 0; c < d; c++) {
              dot += (double) q[qOff + c] * key[c];
            }
            logits[j] = dot * scale;
            max = Math.max(max, logits[j]);
          }
          double sum = 0;
          for (int j = 0; j < visible; j++) {
            logits[j] = Math.exp(logits[j] - max);
            sum += logits[j];
          }
          for (int j = 0; j < visible; j++) {
            logits[j] /= sum;
            float[] value = entries.get(j).value();
            for (int c = 0; c < d; c++) {
              out[qOff + c] += logits[j] * value[c];
            }
          }
          probs[g] = logits;
        }
        boolean take = mode == ScoreMode.SUM || (mode == ScoreMode.LAST_QUERY && i == queries - 1);
        if (take) {
          for (int j = 0; j < visible; j++) {
            double r = switch (reduction) {
              case FIRST -> probs[0][j];
              case MAX -> {
                double m = probs[0][j];
                for (int g = 1; g < group; g++) {
                  m = Math.max(m, probs[g][j]);
                }
                yield m;
              }
              case MEAN -> {
                double s = 0;
                for (int g = 0; g < group; g++) {
                  s += probs[g][j];
                }
                yield s / group;
              }
            };
            scores[kv][j] += r;
          }
        }
      }
    }
    return new Result(out, attended, scores);
  }
}
