package org.recycledattention.backend.pytorch;

import java.util.ArrayList;
import java.util.List;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.plan.ScoreMode;
import org.recycledattention.api.plan.ScoreRequest;

/**
 * A plain, double-precision model of one layer of a KV cache, written straight from the SPI
 * Javadoc: per-head lists for the main store and the partial cache, swap-remove eviction, causal
 * multi-query attention and group-reduced scores. The tests mirror every operation on it.
 */
final class ReferenceKv {
  final int kvHeads;
  final int group;
  final int headDim;
  final List<List<float[]>> keys = new ArrayList<>();
  final List<List<float[]>> values = new ArrayList<>();
  final List<List<Integer>> positions = new ArrayList<>();
  final List<List<float[]>> partialKeys = new ArrayList<>();
  final List<List<float[]>> partialValues = new ArrayList<>();
  final List<List<Integer>> partialPositions = new ArrayList<>();
  boolean hasPartial;

  /** Probabilities of the last attend: [query][queryHead][entry]. */
  double[][][] lastProbs;

  ReferenceKv(int kvHeads, int group, int headDim) {
    this.kvHeads = kvHeads;
    this.group = group;
    this.headDim = headDim;
    for (int h = 0; h < kvHeads; h++) {
      keys.add(new ArrayList<>());
      values.add(new ArrayList<>());
      positions.add(new ArrayList<>());
      partialKeys.add(new ArrayList<>());
      partialValues.add(new ArrayList<>());
      partialPositions.add(new ArrayList<>());
    }
  }

  int length() {
    return keys.get(0).size();
  }

  int partialLength() {
    return hasPartial ? partialKeys.get(0).size() : 0;
  }

  void append(float[] k, float[] v, int[] pos, int tokens) {
    int row = kvHeads * headDim;
    for (int t = 0; t < tokens; t++) {
      for (int h = 0; h < kvHeads; h++) {
        keys.get(h).add(slice(k, t * row + h * headDim));
        values.get(h).add(slice(v, t * row + h * headDim));
        positions.get(h).add(pos[t]);
      }
    }
  }

  /** Full attention, causal over the last {@code queries} entries; returns [queries * H * d]. */
  double[] attendFull(float[] q, int queries) {
    return attend(q, queries, keys, values, length());
  }

  /** The partial cache followed by the newest main entry. */
  double[] attendPartial(float[] q) {
    List<List<float[]>> k = new ArrayList<>();
    List<List<float[]>> v = new ArrayList<>();
    for (int h = 0; h < kvHeads; h++) {
      List<float[]> kh = new ArrayList<>(hasPartial ? partialKeys.get(h) : List.of());
      List<float[]> vh = new ArrayList<>(hasPartial ? partialValues.get(h) : List.of());
      kh.add(keys.get(h).getLast());
      vh.add(values.get(h).getLast());
      k.add(kh);
      v.add(vh);
    }
    return attend(q, 1, k, v, k.get(0).size());
  }

  private double[] attend(float[] q, int queries, List<List<float[]>> k, List<List<float[]>> v, int length) {
    int heads = kvHeads * group;
    double[] out = new double[queries * heads * headDim];
    lastProbs = new double[queries][heads][length];
    double scale = 1.0 / Math.sqrt(headDim);
    for (int i = 0; i < queries; i++) {
      int visible = length - queries + i + 1;
      for (int hq = 0; hq < heads; hq++) {
        int h = hq / group;
        double[] logits = new double[visible];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < visible; j++) {
          float[] kj = k.get(h).get(j);
          double dot = 0;
          for (int x = 0; x < headDim; x++) {
            dot += (double) q[(i * heads + hq) * headDim + x] * kj[x];
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
          double p = logits[j] / sum;
          lastProbs[i][hq][j] = p;
          float[] vj = v.get(h).get(j);
          for (int x = 0; x < headDim; x++) {
            out[(i * heads + hq) * headDim + x] += p * vj[x];
          }
        }
      }
    }
    return out;
  }

  /**
   * The last attend's probabilities as {@code request} says: [kvHeads][length]. Each query's
   * probabilities are reduced over the group first; SUM then adds the queries, LAST_QUERY takes
   * the last (the SPI's ScoreRequest and ScoreMode).
   */
  double[][] scores(ScoreRequest request) {
    int queries = lastProbs.length;
    int length = lastProbs[0][0].length;
    double[][] out = new double[kvHeads][length];
    for (int h = 0; h < kvHeads; h++) {
      for (int j = 0; j < length; j++) {
        double total = 0;
        for (int i = request.mode() == ScoreMode.SUM ? 0 : queries - 1; i < queries; i++) {
          total += reduce(lastProbs[i], h, j, request.reduction());
        }
        out[h][j] = total;
      }
    }
    return out;
  }

  private double reduce(double[][] probs, int h, int j, GroupReduction reduction) {
    double acc = reduction == GroupReduction.MAX ? Double.NEGATIVE_INFINITY : 0;
    for (int g = 0; g < group; g++) {
      double p = probs[h * group + g][j];
      acc = switch (reduction) {
        case MAX -> Math.max(acc, p);
        case MEAN -> acc + p / group;
        case FIRST -> g == 0 ? p : acc;
      };
    }
    return acc;
  }

  void evict(int[] slotPerHead) {
    for (int h = 0; h < kvHeads; h++) {
      swapRemove(keys.get(h), slotPerHead[h]);
      swapRemove(values.get(h), slotPerHead[h]);
      swapRemove(positions.get(h), slotPerHead[h]);
    }
    clearPartial();
  }

  void retain(Selection s) {
    for (int h = 0; h < kvHeads; h++) {
      keys.set(h, pick(keys.get(h), s.slots(h)));
      values.set(h, pick(values.get(h), s.slots(h)));
      positions.set(h, pick(positions.get(h), s.slots(h)));
    }
    clearPartial();
  }

  void gatherPartial(Selection s) {
    for (int h = 0; h < kvHeads; h++) {
      partialKeys.set(h, pick(keys.get(h), s.slots(h)));
      partialValues.set(h, pick(values.get(h), s.slots(h)));
      partialPositions.set(h, pick(positions.get(h), s.slots(h)));
    }
    hasPartial = true;
  }

  void appendToPartial(int[] replace) {
    for (int h = 0; h < kvHeads; h++) {
      float[] k = keys.get(h).getLast();
      float[] v = values.get(h).getLast();
      int p = positions.get(h).getLast();
      if (replace[h] == -1) {
        partialKeys.get(h).add(k);
        partialValues.get(h).add(v);
        partialPositions.get(h).add(p);
      } else {
        partialKeys.get(h).set(replace[h], k);
        partialValues.get(h).set(replace[h], v);
        partialPositions.get(h).set(replace[h], p);
      }
    }
  }

  void clearPartial() {
    for (int h = 0; h < kvHeads; h++) {
      partialKeys.get(h).clear();
      partialValues.get(h).clear();
      partialPositions.get(h).clear();
    }
    hasPartial = false;
  }

  private static <T> void swapRemove(List<T> list, int slot) {
    T last = list.removeLast();
    if (slot < list.size()) {
      list.set(slot, last);
    }
  }

  private static <T> List<T> pick(List<T> list, int[] slots) {
    List<T> out = new ArrayList<>();
    for (int s : slots) {
      out.add(list.get(s));
    }
    return out;
  }

  private float[] slice(float[] a, int from) {
    float[] r = new float[headDim];
    System.arraycopy(a, from, r, 0, headDim);
    return r;
  }
}
