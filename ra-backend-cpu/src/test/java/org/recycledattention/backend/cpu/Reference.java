package org.recycledattention.backend.cpu;

import java.util.ArrayList;
import java.util.List;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.plan.GroupReduction;

/**
 * A plain double-precision model of one layer of a cache and of attention over it, for tests: it
 * mirrors every store operation and computes attention the textbook way.
 */
final class Reference {
  /** One stored entry of one KV head. */
  record Entry(float[] k, float[] v, int position) {}

  final int kvHeads;
  final int queryHeads;
  final int dim;
  final KvDtype dtype;
  final List<List<Entry>> main = new ArrayList<>();
  List<List<Entry>> partial; // null: none

  Reference(int kvHeads, int queryHeads, int dim, KvDtype dtype) {
    this.kvHeads = kvHeads;
    this.queryHeads = queryHeads;
    this.dim = dim;
    this.dtype = dtype;
    for (int h = 0; h < kvHeads; h++) {
      main.add(new ArrayList<>());
    }
  }

  /** The value the cache really stores for {@code x}. */
  static float stored(float x, KvDtype dtype) {
    return switch (dtype) {
      case F32 -> x;
      case F16 -> Float.float16ToFloat(Float.floatToFloat16(x));
      case BF16 -> Float.intBitsToFloat(HalfRows.toBf16(x) << 16);
    };
  }

  void append(float[] k, float[] v, int[] positions, int tokens) {
    for (int t = 0; t < tokens; t++) {
      for (int h = 0; h < kvHeads; h++) {
        float[] kk = new float[dim];
        float[] vv = new float[dim];
        for (int x = 0; x < dim; x++) {
          int i = (t * kvHeads + h) * dim + x;
          kk[x] = stored(k[i], dtype);
          vv[x] = stored(v[i], dtype);
        }
        main.get(h).add(new Entry(kk, vv, positions[t]));
      }
    }
  }

  int length() {
    return main.get(0).size();
  }

  void evict(int[] slotPerHead) {
    partial = null;
    for (int h = 0; h < kvHeads; h++) {
      List<Entry> m = main.get(h);
      Entry last = m.remove(m.size() - 1);
      if (slotPerHead[h] < m.size()) {
        m.set(slotPerHead[h], last);
      }
    }
  }

  void retain(int[][] slots) {
    partial = null;
    for (int h = 0; h < kvHeads; h++) {
      List<Entry> m = main.get(h);
      List<Entry> kept = new ArrayList<>();
      for (int s : slots[h]) {
        kept.add(m.get(s));
      }
      m.clear();
      m.addAll(kept);
    }
  }

  void gather(int[][] slots) {
    partial = new ArrayList<>();
    for (int h = 0; h < kvHeads; h++) {
      List<Entry> p = new ArrayList<>();
      for (int s : slots[h]) {
        p.add(main.get(h).get(s));
      }
      partial.add(p);
    }
  }

  void appendToPartial(int[] replace) {
    for (int h = 0; h < kvHeads; h++) {
      Entry newest = main.get(h).get(length() - 1);
      if (replace[h] == -1) {
        partial.get(h).add(newest);
      } else {
        partial.get(h).set(replace[h], newest);
      }
    }
  }

  /** The entries a plan reads for KV head {@code h}: the whole main store, or partial + newest. */
  List<Entry> attended(int h, boolean usePartial) {
    if (!usePartial) {
      return main.get(h);
    }
    List<Entry> e = new ArrayList<>(partial.get(h));
    e.add(main.get(h).get(length() - 1));
    return e;
  }

  /** Result of reference attention: outputs and per-query-head probabilities. */
  record Result(double[] out, double[][][] probs) {}

  /**
   * Attention of {@code queries} queries; query {@code i} reads the first {@code length - queries +
   * i + 1} entries (causal) of the full store, or partial + newest when {@code usePartial}.
   * {@code probs[i][qh]} has one value per entry (0 beyond the causal limit).
   */
  Result attend(float[] q, int queries, boolean usePartial) {
    int group = queryHeads / kvHeads;
    double scale = 1.0 / Math.sqrt(dim);
    double[] out = new double[queries * queryHeads * dim];
    double[][][] probs = new double[queries][queryHeads][];
    for (int i = 0; i < queries; i++) {
      for (int qh = 0; qh < queryHeads; qh++) {
        List<Entry> entries = attended(qh / group, usePartial);
        int n = usePartial ? entries.size() : entries.size() - queries + i + 1;
        double[] s = new double[entries.size()];
        double max = Double.NEGATIVE_INFINITY;
        int qOff = (i * queryHeads + qh) * dim;
        for (int j = 0; j < n; j++) {
          double dot = 0;
          for (int x = 0; x < dim; x++) {
            dot += (double) q[qOff + x] * entries.get(j).k()[x];
          }
          s[j] = dot * scale;
          max = Math.max(max, s[j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
          s[j] = Math.exp(s[j] - max);
          sum += s[j];
        }
        for (int j = 0; j < n; j++) {
          s[j] /= sum;
          for (int x = 0; x < dim; x++) {
            out[qOff + x] += s[j] * entries.get(j).v()[x];
          }
        }
        probs[i][qh] = s;
      }
    }
    return new Result(out, probs);
  }

  /** Scores of one query reduced over each group: {@code [kvHead][entry]}. */
  static double[][] reduce(double[][] probsOfQuery, int kvHeads, GroupReduction reduction) {
    int group = probsOfQuery.length / kvHeads;
    double[][] r = new double[kvHeads][];
    for (int h = 0; h < kvHeads; h++) {
      int n = probsOfQuery[h * group].length;
      r[h] = new double[n];
      for (int j = 0; j < n; j++) {
        double acc = reduction == GroupReduction.MAX ? Double.NEGATIVE_INFINITY : 0;
        for (int g = 0; g < group; g++) {
          double p = probsOfQuery[h * group + g][j];
          acc = switch (reduction) {
            case MAX -> Math.max(acc, p);
            case MEAN -> acc + p / group;
            case FIRST -> g == 0 ? p : acc;
          };
        }
        r[h][j] = acc;
      }
    }
    return r;
  }
}
