package org.recycledattention.examples.trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.IntStream;
import org.recycledattention.api.cache.Scores;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.plan.ScoreMode;
import org.recycledattention.api.plan.ScoreRequest;
import org.recycledattention.api.plan.StepPlan;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.DecodeStep;
import org.recycledattention.api.policy.Observation;
import org.recycledattention.api.policy.Phase;

/**
 * Full attention plus a trace. After the prompt, per layer and KV head: the most attended positions
 * of the last prompt token (the query heads of a group combined by max, which is what Recycled
 * Attention and SnapKV select from) and the {@code budget} positions that selection keeps (pooled,
 * top-K). At each of the first decode steps, per layer and KV head, from the group-mean attention
 * probabilities: the most attended position, the mass of the best {@code budget} positions, and the
 * mass that the prompt-end selection plus the decoded tokens cover, which is what the first partial
 * cache of Recycled Attention (and SnapKV's cache) would have given that step.
 *
 * <p>Lines look like {@code prompt-end layer=3 kv-head=0 top=489:0.51,396:0.11} and {@code decode
 * step=0 layer=3 kv-head=0 argmax=113:1.00 best-k=1.00 covered=0.00}.
 */
final class TracePolicy implements AttentionPolicy {
  private static final StepPlan.Full GROUP_MEAN = new StepPlan.Full(new ScoreRequest(ScoreMode.LAST_QUERY, GroupReduction.MEAN));

  private final int budget;
  private final int poolKernel;
  private final int top;
  private final int decodeSteps;
  private final Path file;
  /** [layer][kvHead]: positions kept by the prompt-end selection; null before the prompt ends. */
  private boolean[][][] selected;
  /** The position after the prompt's last token: later positions are decoded tokens. */
  private int afterPrompt = -1;

  TracePolicy(int budget, int poolKernel, int top, int decodeSteps, Path file) {
    this.budget = budget;
    this.poolKernel = poolKernel;
    this.top = top;
    this.decodeSteps = decodeSteps;
    this.file = file;
  }

  @Override
  public StepPlan plan(int layer, DecodeStep step) {
    return switch (step.phase()) {
      case PREFILL -> StepPlan.Full.NO_SCORES;
      case PREFILL_END -> StepPlan.Full.LAST_MAX;
      case DECODE -> step.decodeIndex() < decodeSteps ? GROUP_MEAN : StepPlan.Full.NO_SCORES;
    };
  }

  @Override
  public void observe(int layer, DecodeStep step, Observation observation, WorkingSet workingSet) {
    Scores scores = observation.result().scores();
    if (scores == null) {
      return;
    }
    StringBuilder out = new StringBuilder();
    if (step.phase() == Phase.PREFILL_END) {
      promptEnd(layer, scores, workingSet, out);
    } else if (step.phase() == Phase.DECODE && selected != null && selected[layer] != null) {
      decode(layer, step.decodeIndex(), scores, workingSet, out);
    }
    write(out.toString());
  }

  private void promptEnd(int layer, Scores scores, WorkingSet ws, StringBuilder out) {
    if (selected == null) {
      selected = new boolean[layer + 1][][];
    } else if (selected.length <= layer) {
      selected = Arrays.copyOf(selected, layer + 1);
    }
    afterPrompt = 0;
    for (int slot = 0; slot < ws.length(); slot++) {
      afterPrompt = Math.max(afterPrompt, ws.position(0, slot) + 1);
    }
    Selection selection = scores.topK(Math.min(budget, scores.length()), poolKernel, 0);
    selected[layer] = new boolean[scores.kvHeads()][];
    for (int h = 0; h < scores.kvHeads(); h++) {
      float[] p = scores.toArray(h);
      int last = 0;
      for (int slot = 0; slot < ws.length(); slot++) {
        last = Math.max(last, ws.position(h, slot));
      }
      boolean[] keep = new boolean[last + 1]; // by position, which need not start at 0
      for (int i = 0; i < selection.size(); i++) {
        keep[ws.position(h, selection.slot(h, i))] = true;
      }
      selected[layer][h] = keep;
      out.append(String.format(Locale.ROOT, "prompt-end layer=%d kv-head=%d top=", layer, h));
      int[] order = descending(p);
      for (int i = 0; i < Math.min(top, order.length); i++) {
        out.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%d:%.2f", ws.position(h, order[i]), p[order[i]]));
      }
      out.append('\n');
    }
  }

  private void decode(int layer, int index, Scores scores, WorkingSet ws, StringBuilder out) {
    for (int h = 0; h < scores.kvHeads(); h++) {
      float[] p = scores.toArray(h);
      boolean[] keep = selected[layer][h];
      int[] order = descending(p);
      double best = 0;
      for (int i = 0; i < Math.min(budget, order.length); i++) {
        best += p[order[i]];
      }
      double covered = 0;
      for (int slot = 0; slot < p.length; slot++) {
        int position = ws.position(h, slot);
        if (position >= afterPrompt || (position < keep.length && keep[position])) {
          covered += p[slot];
        }
      }
      out.append(String.format(Locale.ROOT, "decode step=%d layer=%d kv-head=%d argmax=%d:%.2f best-k=%.2f covered=%.2f%n", index, layer, h,
          ws.position(h, order[0]), p[order[0]], best, covered));
    }
  }

  /** Slots by descending score; ties keep the older slot first. */
  private static int[] descending(float[] p) {
    return IntStream.range(0, p.length).boxed().sorted((a, b) -> Float.compare(p[b], p[a])).mapToInt(Integer::intValue).toArray();
  }

  private void write(String text) {
    if (text.isEmpty()) {
      return;
    }
    if (file == null) {
      System.err.print(text);
      return;
    }
    try {
      Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append the attention trace to " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "trace(budget=" + budget + ", pool-kernel=" + poolKernel + ")";
  }
}
