package org.recycledattention.backend.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.recycledattention.api.plan.GroupReduction;

/**
 * A plain double-precision model of one layer of a cache and of attention over it: mirrors every
 * store operation and computes attention the textbook way.
 */
final class Reference {
  record Entry(float[] k, float[] v, int position) {}

  /** Outputs ({@code queries × queryHeads × dim}) and probabilities {@code [query][queryHead][entry]}. */
  record Result(double[] out, double[][][] probs) {}

  final int kvHeads;
  final int queryHeads;
  final int dim;
  final List<List<Entry>> main = new ArrayList<>();
  List<List<Entry>> partial;

  Reference(int kvHeads, int queryHeads, int dim) {
    this.kvHeads = kvHeads;
    this.queryHeads = queryHeads;
    this.dim = dim;
    for (int h = 0; h < kvHeads; h++) {
      main.add(new ArrayList<>());
    }
  }

  static float[] gaussian(Random random, int n, double sigma) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (sigma * random.nextGaussian());
    }
    return a;
  }

  static int[] range(int from, int count) {
    int[] p = new int[count];
    for (int i = 0; i < count; i++) {
      p[i] = from + i;
    }
    return p;
  }

  /** {@code count} distinct ascending values from {@code [0, length)}. */
  static int[] ascendingSubset(Random random, int length, int count) {
    boolean[] taken = new boolean[length];
    for (int c = 0; c < count; ) {
      int s = random.nextInt(length);
      if (!taken[s]) {
        taken[s] = true;
        c++;
      }
    }
    int[] out = new int[count];
    for (int s = 0, i = 0; s < length; s++) {
      if (taken[s]) {
        out[i++] = s;
      }
    }
    return out;
  }

  int length() {
    return main.getFirst().size();
  }

  void append(float[] k, float[] v, int[] positions, int tokens) {
    for (int t = 0; t < tokens; t++) {
      for (int h = 0; h < kvHeads; h++) {
        int off = (t * kvHeads + h) * dim;
        main.get(h).add(new Entry(java.util.Arrays.copyOfRange(k, off, off + dim), java.util.Arrays.copyOfRange(v, off, off + dim), positions[t]));
      }
    }
  }

  void evict(int[] slotPerHead) {
    partial = null;
    for (int h = 0; h < kvHeads; h++) {
      List<Entry> m = main.get(h);
      Entry last = m.removeLast();
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
      Entry newest = main.get(h).getLast();
      if (replace[h] == -1) {
        partial.get(h).add(newest);
      } else {
        partial.get(h).set(replace[h], newest);
      }
    }
  }

  private List<Entry> attended(int h, boolean usePartial) {
    if (!usePartial) {
      return main.get(h);
    }
    List<Entry> e = new ArrayList<>(partial.get(h));
    e.add(main.get(h).getLast());
    return e;
  }

  /** Query {@code i} reads the first {@code length - queries + i + 1} entries, or partial + newest. */
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

  /** One query's probabilities reduced over each group: {@code [kvHead][entry]}. */
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

  /** Every query's reduced probabilities, summed over queries (ScoreMode.SUM). */
  static double[][] reduceSum(double[][][] probs, int kvHeads, GroupReduction reduction) {
    double[][] sum = null;
    for (double[][] ofQuery : probs) {
      double[][] r = reduce(ofQuery, kvHeads, reduction);
      if (sum == null) {
        sum = r;
      } else {
        for (int h = 0; h < kvHeads; h++) {
          for (int j = 0; j < r[h].length; j++) {
            sum[h][j] += r[h][j];
          }
        }
      }
    }
    return sum;
  }
}
