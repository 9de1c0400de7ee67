package org.recycledattention.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The kernels' faster schedules (several key tiles and two query heads per pass, two heads per
 * value pass) compute every result exactly as the one-tile, one-head schedule does: same bits,
 * for every head size, group size and tile count.
 */
class KernelScheduleTest {
  private static float[] gaussian(SplittableRandom random, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) ((random.nextDouble() - 0.5) * 4);
    }
    return a;
  }

  @Test
  void scoringSeveralTilesAtOnceGivesTheBitsOfOneTileAtATime() {
    SplittableRandom random = new SplittableRandom(11);
    int lanes = VectorMath.lanes();
    for (int dim : new int[] {1, 7, 32, 64, 80, 128}) {
      for (int group = 1; group <= 5; group++) {
        for (int tiles = 1; tiles <= 2 * VectorMath.TILES_PER_PASS + 1; tiles++) {
          int tOff = random.nextInt(4);
          float[] keys = gaussian(random, tOff + tiles * lanes * dim);
          int qOff = random.nextInt(4);
          float[] q = gaussian(random, qOff + group * dim);
          int stride = tiles * lanes + 3;
          float[] together = new float[group * stride];
          float[] oneByOne = new float[group * stride];
          VectorMath.scoreTiles(keys, tOff, tiles, dim, q, qOff, group, 0.125f, together, 2, stride);
          for (int t = 0; t < tiles; t++) {
            VectorMath.scoreTile(keys, tOff + t * lanes * dim, dim, q, qOff, group, 0.125f, oneByOne, 2 + t * lanes, stride);
          }
          assertThat(together).as("dim %d group %d tiles %d", dim, group, tiles).containsExactly(oneByOne);
        }
      }
    }
  }

  @Test
  void weightingValuesForTwoHeadsAtOnceGivesTheBitsOfOneHeadAtATime() {
    SplittableRandom random = new SplittableRandom(12);
    for (int dim : new int[] {1, 5, 16, 48, 64, 80, 128, 200}) {
      for (int group = 1; group <= 5; group++) {
        int rows = 1 + random.nextInt(40);
        float[] v = gaussian(random, 3 + rows * dim);
        int wStride = rows + 2;
        float[] w = gaussian(random, group * wStride);
        float[] start = gaussian(random, group * dim + 1);
        float[] together = start.clone();
        VectorMath.accumulateRows(v, 3, rows, dim, w, 1, wStride, group, together, 1);
        float[] oneByOne = start.clone();
        for (int g = 0; g < group; g++) {
          VectorMath.accumulateRows(v, 3, rows, dim, w, 1 + g * wStride, wStride, 1, oneByOne, 1 + g * dim);
        }
        assertThat(together).as("dim %d group %d rows %d", dim, group, rows).containsExactly(oneByOne);
      }
    }
  }

  @Test
  void gatheringByRunsOfLanesCopiesEveryEntryExactly() {
    SplittableRandom random = new SplittableRandom(13);
    for (int trial = 0; trial < 60; trial++) {
      int dim = 1 + random.nextInt(70);
      int n = 1 + random.nextInt(300);
      int type = trial % 3;
      Rows src = type == 0 ? new F32Rows(dim, n) : new HalfRows(dim, n, type == 2);
      for (int s = 0; s < n; s++) {
        src.put(s, gaussian(random, dim), 0, gaussian(random, dim), 0, 1000 + s);
      }
      src.length = n;
      // runs of random length with random gaps: crosses tile boundaries on both sides
      int[] slots = new int[n];
      int count = 0;
      for (int s = random.nextInt(3); s < n; ) {
        int run = 1 + random.nextInt(20);
        for (int j = 0; j < run && s < n; j++) {
          slots[count++] = s++;
        }
        s += 1 + random.nextInt(10);
      }
      Rows dst = type == 0 ? new F32Rows(dim, count) : new HalfRows(dim, count, type == 2);
      dst.gather(src, slots, count);
      float[] k1 = new float[dim];
      float[] v1 = new float[dim];
      float[] k2 = new float[dim];
      float[] v2 = new float[dim];
      for (int i = 0; i < count; i++) {
        src.read(slots[i], k1, v1, 0);
        dst.read(i, k2, v2, 0);
        assertThat(k2).as("trial %d entry %d key", trial, i).containsExactly(k1);
        assertThat(v2).as("trial %d entry %d value", trial, i).containsExactly(v1);
        assertThat(dst.positions[i]).isEqualTo(1000 + slots[i]);
      }
    }
  }
}
