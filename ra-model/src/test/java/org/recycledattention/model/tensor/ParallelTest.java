package org.recycledattention.model.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class ParallelTest {
  /**
   * A caller whose last chunk is held by a thread that lost its core must not keep spinning on the
   * other one (the held thread cannot move there): it sleeps, and the chunk's end wakes it.
   */
  @Test
  void aCallerWaitingForAHeldChunkSleepsAndIsWokenWhenItEnds() throws Exception {
    CountDownLatch workerInChunk = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (Parallel p = new Parallel(2)) {
      Thread caller = new Thread(() -> {
        try {
          p.forRange(2, (from, to) -> {
            try {
              if (Thread.currentThread().getName().startsWith("ra-kernel")) {
                workerInChunk.countDown();
                release.await(); // the held chunk
              } else {
                workerInChunk.await(); // the caller's own chunk ends once the worker holds the other
              }
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
          });
        } catch (Throwable t) {
          failure.set(t);
        }
      }, "caller");
      caller.setDaemon(true);
      caller.start();
      try {
        assertThat(workerInChunk.await(10, TimeUnit.SECONDS)).as("a worker took the second chunk").isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        // parked in Parallel's wait, not spinning (RUNNABLE) nor waiting inside its own chunk
        while (!(caller.getState() == Thread.State.TIMED_WAITING && LockSupport.getBlocker(caller) == p)
            && System.nanoTime() < deadline) {
          Thread.sleep(1);
        }
        assertThat(caller.getState()).as("the waiting caller's state").isEqualTo(Thread.State.TIMED_WAITING);
        assertThat(LockSupport.getBlocker(caller)).as("what the caller waits on").isSameAs(p);
      } finally {
        release.countDown();
      }
      caller.join(10_000);
      assertThat(caller.isAlive()).as("forRange returned after the held chunk ended").isFalse();
      assertThat(failure.get()).isNull();
    }
  }

  @Test
  void everyIndexRunsOnceOverManyBackToBackRegions() {
    try (Parallel p = new Parallel(2)) {
      for (int region = 0; region < 2_000; region++) {
        int n = 1 + region % 97;
        int[] hits = new int[n];
        p.forEach(n, i -> hits[i]++);
        for (int i = 0; i < n; i++) {
          assertThat(hits[i]).as("region %d index %d", region, i).isEqualTo(1);
        }
      }
    }
  }
}
