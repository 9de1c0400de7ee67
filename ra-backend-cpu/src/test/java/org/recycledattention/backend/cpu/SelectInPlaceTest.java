package org.recycledattention.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.recycledattention.api.cache.AttentionResult;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.ScoreMath;
import org.recycledattention.api.cache.Selection;
import org.recycledattention.api.cache.WorkingSet;
import org.recycledattention.api.plan.StepPlan;

/**
 * The selection and gather that a full step's attention units make in place (see {@link CpuScores})
 * change nothing observable: a cache driven like Recycled Attention (full step, {@code topK},
 * {@code gatherPartial}, partial steps, repeat) selects, gathers and attends exactly as a twin cache
 * whose selections come from the reference {@link ScoreMath#topK} through the slow path (so it never
 * selects in place). The drive also changes the parameters, appends between a step and its gather,
 * skips a gather and gathers a selection of its own, each of which must fall back to the plain path.
 */
class SelectInPlaceTest {
  private static float[] gaussian(SplittableRandom random, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) ((random.nextDouble() - 0.5) * 3);
    }
    return a;
  }

  @ParameterizedTest
  @EnumSource(value = KvDtype.class)
  void inPlaceSelectionAndGatherEqualThePlainOnes(KvDtype dtype) {
    SplittableRandom random = new SplittableRandom(41);
    for (int trial = 0; trial < 6; trial++) {
      int kv = 1 + random.nextInt(3);
      int qh = kv * (1 + random.nextInt(3));
      int dim = new int[] {16, 24, 64}[random.nextInt(3)];
      int threads = 1 + random.nextInt(3);
      int start = 50 + random.nextInt(400);
      int steps = 40;
      try (CpuBackend backend = CpuBackend.create(dtype, threads);
          KvCache a = backend.allocate(new CacheSpec(1, qh, kv, dim, start + steps + 1));
          KvCache b = backend.allocate(new CacheSpec(1, qh, kv, dim, start + steps + 1))) {
        float[] k0 = gaussian(random, start * kv * dim);
        float[] v0 = gaussian(random, start * kv * dim);
        int[] p0 = new int[start];
        for (int i = 0; i < start; i++) {
          p0[i] = i;
        }
        a.append(0, k0, v0, p0, start);
        b.append(0, k0, v0, p0, start);
        int budget = 8 + random.nextInt(start / 2);
        int kernel = 1 + 2 * random.nextInt(4);
        int keepRecent = random.nextInt(3);
        WorkingSet wa = a.workingSet(0);
        WorkingSet wb = b.workingSet(0);
        for (int step = 0; step < steps; step++) {
          String what = dtype + " trial " + trial + " step " + step;
          float[] k = gaussian(random, kv * dim);
          float[] v = gaussian(random, kv * dim);
          int[] pos = {start + step};
          a.append(0, k, v, pos, 1);
          b.append(0, k, v, pos, 1);
          float[] q = gaussian(random, qh * dim);
          float[] outA = new float[qh * dim];
          float[] outB = new float[qh * dim];
          boolean full = step % 4 == 0 || !(wa.partialLength() > 0);
          if (!full) {
            a.attend(0, q, 1, StepPlan.Partial.NO_SCORES, outA);
            b.attend(0, q, 1, StepPlan.Partial.NO_SCORES, outB);
            assertThat(outA).as(what + " partial step").containsExactly(outB);
            wa.appendToPartial(fill(kv, -1));
            wb.appendToPartial(fill(kv, -1));
            continue;
          }
          AttentionResult ra = a.attend(0, q, 1, StepPlan.Full.LAST_MAX, outA);
          AttentionResult rb = b.attend(0, q, 1, StepPlan.Full.LAST_MAX, outB);
          assertThat(outA).as(what + " full step").containsExactly(outB);
          if (step == 12) {
            kernel += 2; // new parameters: the units' selection no longer applies
          }
          Selection sa = ra.scores().topK(budget, kernel, keepRecent);
          Selection sb = ScoreMath.topK(rb.scores(), budget, kernel, keepRecent);
          assertThat(sa).as(what + " selection").isEqualTo(sb);
          if (step == 20) {
            continue; // a full step that refreshes nothing
          }
          if (step == 28) {
            // a selection of the caller's own, not the one topK returned
            int[][] slots = new int[kv][];
            float[][] sc = new float[kv][];
            for (int h = 0; h < kv; h++) {
              slots[h] = new int[] {0, 2, 3};
              sc[h] = new float[3];
            }
            sa = new Selection(slots, sc);
            sb = sa;
          }
          if (step == 36) {
            // the main store changes between the step and its gather: the staged copy is stale
            float[] ek = gaussian(random, kv * dim);
            float[] ev = gaussian(random, kv * dim);
            a.append(0, ek, ev, new int[] {-1}, 1);
            b.append(0, ek, ev, new int[] {-1}, 1);
            // and it moves into each head's first selected slot (swap-remove), so the slot's data changes
            int[] first = new int[kv];
            for (int h = 0; h < kv; h++) {
              first[h] = sa.slot(h, 0);
            }
            wa.evict(first);
            wb.evict(first);
          }
          wa.gatherPartial(sa);
          wb.gatherPartial(sb);
          assertThat(wa.partialLength()).as(what).isEqualTo(wb.partialLength());
          for (int h = 0; h < kv; h++) {
            for (int i = 0; i < wa.partialLength(); i++) {
              assertThat(wa.partialPosition(h, i)).as(what + " partial position").isEqualTo(wb.partialPosition(h, i));
            }
          }
          assertThat(a.stats().residentBytes()).as(what + " resident bytes").isEqualTo(b.stats().residentBytes());
        }
      }
    }
  }

  private static int[] fill(int n, int value) {
    int[] a = new int[n];
    java.util.Arrays.fill(a, value);
    return a;
  }
}
