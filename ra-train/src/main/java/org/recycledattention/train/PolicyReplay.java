package org.recycledattention.train;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.Scores;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.Phase;
import org.recycledattention.api.plan.ScoreMode;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.engine.decode.PolicyFactory;

/**
 * Replays an attention policy on one layer of one training sequence, so that training attends what
 * decoding would: the prompt is prefilled (full attention), its last token ends the prefill (the
 * policy's first selection), and each answer token is a decode step. The policy object itself
 * decides, exactly as in the engine: this class gives it a {@link WorkingSet} that tracks only which
 * positions each store holds, and {@link Scores} computed from the layer's full-attention
 * probabilities, restricted to the entries the step attends and renormalised (a softmax over a
 * subset is the full softmax renormalised over it).
 *
 * <p>The result is, per decode row and KV head, the set of positions the row attends; the trainer
 * turns it into an attention mask. Selections are not differentiated: they are made on the host
 * from probabilities copied out of the graph.
 *
 * <p>The replay sees one layer at a time (the trainer computes a layer for every position before
 * the next layer), so it creates one policy instance per layer and sequence: policies whose
 * decisions for a layer depend on other layers cannot be replayed (the built-in ones keep their state
 * per layer). Scores summed over a prefill chunk ({@link ScoreMode#SUM} at the end of the prompt,
 * as H2O asks) depend on the engine's prefill chunks and are refused.
 *
 * <p>Not thread-safe; one instance per training step.
 */
final class PolicyReplay {
  /** Added to the attention logits of a position a row does not attend. */
  static final float MASKED = -1e9f;

  private final PolicyFactory policy;
  private final ModelShape shape;

  PolicyReplay(PolicyFactory policy, ModelShape shape) {
    this.policy = requireNonNull(policy, "policy is null");
    this.shape = requireNonNull(shape, "shape is null");
  }

  /**
   * The rows of one sequence: {@code rows[0]} is the prompt's last position, {@code rows[1 + d]}
   * the position of decode step {@code d}, consecutive.
   *
   * @param promptEnd position of the prompt's last token
   * @param decodeSteps answer tokens fed as decode steps
   */
  record Rows(int promptEnd, int decodeSteps) {
    int count() {
      return 1 + decodeSteps;
    }
  }

  /**
   * Replays {@code layer} of one sequence and writes its attention mask: for row {@code r} and KV
   * head {@code h}, {@code mask[((h · rowStride) + r) · length + j]} becomes 0 for every position
   * {@code j} that row attends and {@link #MASKED} for the others (positions past the row included).
   *
   * @param probabilities full-attention probabilities of the rows, {@code [queryHead][row][length]}
   *     flattened with row stride {@code rowStride} (each row causal: zero past its position)
   * @param queries the rows' queries after RoPE, {@code [queryHead][row][headDim]} flattened with
   *     row stride {@code rowStride}, or null when the policy needs none
   * @param length positions per row in the two arrays and the mask
   * @param mask {@code [kvHead][row][length]} flattened, written from {@code maskOffset}
   */
  void replay(int layer, Rows rows, float[] probabilities, float[] queries, int rowStride, int length, float[] mask, int maskOffset) {
    int kv = shape.kvHeads();
    int heads = shape.queryHeads();
    int group = heads / kv;
    int headDim = shape.headDim();
    int last = rows.promptEnd() + rows.decodeSteps();
    if (rows.count() > rowStride || last >= length) {
      throw new IllegalArgumentException("rows " + rows + " do not fit " + rowStride + " rows of " + length + " positions");
    }
    AttentionPolicy p = policy.create(shape);
    Store store = new Store(layer, kv, last + 1);
    store.prefill(rows.promptEnd() + 1);
    float[] query = new float[heads * headDim];
    for (int r = 0; r < rows.count(); r++) {
      int position = rows.promptEnd() + r;
      if (r > 0) {
        store.appendMain(position);
      }
      if (queries != null) {
        for (int h = 0; h < heads; h++) {
          System.arraycopy(queries, (h * rowStride + r) * headDim, query, h * headDim, headDim);
        }
      }
      DecodeStep step = r == 0 ? new DecodeStep(Phase.PREFILL_END, position, -1, 1, query) : new DecodeStep(Phase.DECODE, position, r - 1, 1, query);
      StepPlan plan = p.plan(layer, step);
      if (r == 0 && !(plan instanceof StepPlan.Full)) {
        throw new IllegalStateException("policy '" + policy.name() + "' planned " + plan + " at the end of the prefill; it must be a full step");
      }
      int[][] attended = new int[kv][];
      for (int h = 0; h < kv; h++) {
        attended[h] = switch (plan) {
          case StepPlan.Full _ -> store.mainPositions(h);
          case StepPlan.Partial _ -> {
            if (!store.hasPartial) {
              throw new IllegalStateException("policy '" + policy.name() + "' planned a partial step at decode step " + (r - 1) + " of layer " + layer
                  + " without a partial cache");
            }
            int[] a = Arrays.copyOf(store.partialPositions(h), store.partialLength + 1);
            a[a.length - 1] = position;
            yield a;
          }
        };
        int base = maskOffset + (h * rowStride + r) * length;
        Arrays.fill(mask, base, base + length, MASKED);
        for (int j : attended[h]) {
          mask[base + j] = 0f;
        }
      }
      ScoreRequest request = plan.scores();
      Scores scores = null;
      if (request.wanted()) {
        if (request.mode() == ScoreMode.SUM && r == 0) {
          throw new IllegalArgumentException("cannot train with attention policy '" + policy.name() + "': it asks for attention scores summed over"
              + " the prefill, which depend on the engine's prefill chunks; train with full, recycled, snapkv or local");
        }
        scores = scores(request.reduction(), attended, probabilities, rowStride, r, length, group);
      }
      p.observe(layer, step, new Observation(plan, new AttentionResult(attended[0].length, scores)), store);
    }
  }

  /** Per KV head, each query head's probabilities over {@code attended} renormalised, then reduced over the group. */
  private static Scores scores(GroupReduction reduction, int[][] attended, float[] probabilities, int rowStride, int row, int length, int group) {
    int kv = attended.length;
    int n = attended[0].length;
    float[][] out = new float[kv][n];
    for (int h = 0; h < kv; h++) {
      for (int g = 0; g < group; g++) {
        int q = h * group + g;
        int base = (q * rowStride + row) * length;
        double sum = 0;
        for (int j : attended[h]) {
          sum += probabilities[base + j];
        }
        for (int i = 0; i < n; i++) {
          float v = (float) (probabilities[base + attended[h][i]] / sum);
          out[h][i] = switch (reduction) {
            case MAX -> g == 0 ? v : Math.max(out[h][i], v);
            case MEAN -> out[h][i] + v / group;
            case FIRST -> g == 0 ? v : out[h][i];
          };
        }
      }
    }
    return new ArrayScores(out);
  }

  /** Scores on the heap. */
  private record ArrayScores(float[][] values) implements Scores {
    @Override
    public int kvHeads() {
      return values.length;
    }

    @Override
    public int length() {
      return values[0].length;
    }

    @Override
    public void copyTo(int kvHead, float[] dst) {
      System.arraycopy(values[kvHead], 0, dst, 0, values[kvHead].length);
    }
  }

  /**
   * A working set that holds positions only, with the engine's semantics: eviction swap-removes,
   * retain compacts in selection order, the partial cache is a copy in selection order, and the
   * newest main-store entry is the last slot.
   */
  private static final class Store implements WorkingSet {
    private final int layer;
    private final int[][] main;
    private final int[][] partial;
    private int mainLength;
    private int partialLength;
    private boolean hasPartial;

    Store(int layer, int kvHeads, int capacity) {
      this.layer = layer;
      this.main = new int[kvHeads][capacity];
      this.partial = new int[kvHeads][capacity];
    }

    void prefill(int tokens) {
      for (int[] m : main) {
        for (int i = 0; i < tokens; i++) {
          m[i] = i;
        }
      }
      mainLength = tokens;
    }

    void appendMain(int position) {
      for (int[] m : main) {
        m[mainLength] = position;
      }
      mainLength++;
    }

    int[] mainPositions(int h) {
      return Arrays.copyOf(main[h], mainLength);
    }

    int[] partialPositions(int h) {
      return Arrays.copyOf(partial[h], partialLength);
    }

    @Override
    public int layer() {
      return layer;
    }

    @Override
    public int kvHeads() {
      return main.length;
    }

    @Override
    public int length() {
      return mainLength;
    }

    @Override
    public int partialLength() {
      return hasPartial ? partialLength : 0;
    }

    @Override
    public int position(int kvHead, int slot) {
      return main[kvHead][slot];
    }

    @Override
    public int partialPosition(int kvHead, int slot) {
      return partial[kvHead][slot];
    }

    @Override
    public void evict(int[] slotPerHead) {
      clearPartial();
      for (int h = 0; h < main.length; h++) {
        main[h][slotPerHead[h]] = main[h][mainLength - 1];
      }
      mainLength--;
    }

    @Override
    public void retain(Selection selection) {
      clearPartial();
      for (int h = 0; h < main.length; h++) {
        for (int i = 0; i < selection.size(); i++) {
          main[h][i] = main[h][selection.slot(h, i)];
        }
      }
      mainLength = selection.size();
    }

    @Override
    public void gatherPartial(Selection selection) {
      for (int h = 0; h < main.length; h++) {
        for (int i = 0; i < selection.size(); i++) {
          partial[h][i] = main[h][selection.slot(h, i)];
        }
      }
      partialLength = selection.size();
      hasPartial = true;
    }

    @Override
    public void appendToPartial(int[] replaceSlotPerHead) {
      if (!hasPartial) {
        throw new IllegalStateException("layer " + layer + " has no partial cache; call gatherPartial first");
      }
      boolean append = replaceSlotPerHead[0] == -1;
      for (int h = 0; h < main.length; h++) {
        int newest = main[h][mainLength - 1];
        partial[h][append ? partialLength : replaceSlotPerHead[h]] = newest;
      }
      if (append) {
        partialLength++;
      }
    }

    @Override
    public void clearPartial() {
      hasPartial = false;
      partialLength = 0;
    }
  }
}
