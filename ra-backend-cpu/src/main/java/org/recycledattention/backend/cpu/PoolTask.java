package org.recycledattention.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Work handed to the backend's pool that the submitter runs itself when it needs the result and the
 * pool has not started it yet, instead of waiting: the pool owes us no thread (a 2-core build once
 * waited 16 minutes on a task the pool never started, with no worker thread alive). The body runs
 * exactly once, on whichever thread claims it first; a claimed-and-finished task that the pool starts
 * later does nothing.
 */
final class PoolTask extends RecursiveAction {
  private static final int PENDING = 0;
  private static final int CLAIMED = 1;
  private final Runnable body;
  private final AtomicInteger state = new AtomicInteger(PENDING);

  private PoolTask(Runnable body) {
    this.body = body;
  }

  /** Hands {@code body} to {@code pool}. */
  static PoolTask submit(ForkJoinPool pool, Runnable body) {
    PoolTask task = new PoolTask(body);
    pool.execute(task);
    return task;
  }

  @Override
  protected void compute() {
    if (state.compareAndSet(PENDING, CLAIMED)) {
      body.run();
    }
  }

  /**
   * Returns once the body has run: here, when the pool has not started it, else after waiting for
   * the pool's thread. Rethrows what the body threw.
   */
  void finish() {
    if (state.compareAndSet(PENDING, CLAIMED)) {
      body.run();
      return;
    }
    join();
  }

  /** {@link #finish}, with what the body threw returned instead of thrown (null when nothing). */
  Throwable finishQuietly() {
    try {
      finish();
      return null;
    } catch (RuntimeException | Error e) {
      return e;
    }
  }
}
