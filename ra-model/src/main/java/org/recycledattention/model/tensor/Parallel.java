package org.recycledattention.model.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.recycledattention.api.cache.KernelThreads;

/**
 * A small fork-join helper for the dense kernels: splits {@code [0, n)} into chunks and runs them
 * on {@code threads} threads, the caller included. With one thread everything runs inline on the
 * caller, with no synchronisation at all.
 *
 * <p>Workers are daemon threads, started on the first call that splits work. Between calls they
 * spin for up to {@value #SPIN_NANOS} ns and then park, so back-to-back kernels of one decode step
 * do not pay a wake-up each (about 6 µs on a VM), while a long pause does not burn a core. When the
 * caller knows a pause is coming in which other threads need the cores (attention on a backend
 * with threads of its own), {@link #rest()} parks the workers at once: on a 2-core machine a
 * spinning worker otherwise takes a core from the attention threads. A KV cache that accepts these
 * threads ({@link KernelThreads}) runs its attention on them instead, with no hand-off at all.
 *
 * <p><b>NOTE:</b> one caller at a time (one per sequence); {@link #close()} stops the workers.
 */
public final class Parallel implements KernelThreads, AutoCloseable {
  /** A body over a half-open range. */
  @FunctionalInterface
  public interface RangeBody {
    void run(int from, int to);
  }

  /**
   * How long an idle worker spins before it parks. 50 µs was too short on the 2-core VM: in a 1K
   * decode of bench-small (0.4 ms a token, ~24 regions) the worker parked 800 to 1,000 times in 600
   * steps and each region after a park began without it (p90 step 1.7 ms against a 0.4 ms median);
   * spinning 2 ms, it parked 10 to 50 times and the p90 step was 0.5 to 0.7 ms.
   */
  static final long SPIN_NANOS = 2_000_000;

  /**
   * How long the caller spins for the last chunks before it sleeps until they are done. A region's
   * chunks end within microseconds of each other; a wait of hundreds means a thread holding a chunk
   * lost its core. Spinning on, the caller keeps the other core busy and that thread cannot move
   * there: on the 2-core VM such a step took 4 to 6 ms (one scheduler tick) instead of 0.4 ms.
   * Asleep, the caller leaves its core idle, and the scheduler moves the waiting thread onto it.
   * With 20 µs the median 1K step of bench-small (Q4_K_M) rose to 0.49–0.62 ms in 3 of 5 runs of a
   * rotation on a busy machine, against 0.32–0.37 with 200 µs: the caller then slept in ordinary
   * waits too.
   */
  static final long WAIT_SPIN_NANOS = 200_000;

  private final int threads;
  private final Thread[] workers;
  // (generation << 32) | next chunk index: a worker claims a chunk only of the generation it joined
  private final AtomicLong claim = new AtomicLong();
  private final AtomicInteger pending = new AtomicInteger();
  private volatile Task task;
  private volatile boolean closed;
  // set by rest(), cleared by the next forRange: idle workers park instead of spinning
  private volatile boolean resting;
  private boolean started;
  private volatile Throwable failure;
  // the caller of the region in progress, and whether it sleeps: the thread that ends the last chunk
  // wakes it
  private volatile Thread caller;
  private volatile boolean callerAsleep;

  private record Task(long generation, RangeBody body, int n, int chunks) {}

  /** @param threads 1 or more; 1 runs everything inline */
  public Parallel(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    this.workers = new Thread[threads - 1];
  }

  // workers start on the first parallel call: a model too small to split never starts one
  private void startWorkers() {
    for (int i = 0; i < workers.length; i++) {
      Thread t = new Thread(this::work, "ra-kernel-" + (i + 1));
      t.setDaemon(true);
      workers[i] = t;
      t.start();
    }
    started = true;
  }

  /** An inline (single-threaded) instance; closing it does nothing. */
  public static Parallel inline() {
    return new Parallel(1);
  }

  @Override
  public int threads() {
    return threads;
  }

  /** {@link #forRange} one index at a time: the {@link KernelThreads} a KV cache borrows. */
  @Override
  public void forEach(int n, IntConsumer body) {
    forRange(n, (from, to) -> {
      for (int i = from; i < to; i++) {
        body.accept(i);
      }
    });
  }

  /**
   * Runs {@code body} over {@code [0, n)} split into chunks, and returns when every chunk is done.
   * An exception thrown by a chunk is rethrown here (after the other chunks finish).
   */
  public void forRange(int n, RangeBody body) {
    if (threads == 1 || n < 2) {
      body.run(0, n);
      return;
    }
    if (closed) {
      throw new IllegalStateException("Parallel is closed");
    }
    if (!started) {
      startWorkers();
    }
    int chunkCount = Math.min(n, threads * 4);
    resting = false;
    failure = null;
    pending.set(chunkCount);
    Task previous = task;
    long gen = (previous == null ? 0 : previous.generation()) + 1;
    claim.set(gen << 32);
    task = new Task(gen, body, n, chunkCount);
    for (Thread w : workers) {
      LockSupport.unpark(w);
    }
    caller = Thread.currentThread();
    runChunks(gen, body, n, chunkCount);
    awaitChunks();
    Throwable f = failure;
    if (f != null) {
      if (f instanceof RuntimeException re) {
        throw re;
      }
      if (f instanceof Error e) {
        throw e;
      }
      throw new IllegalStateException(f);
    }
  }

  // spins for WAIT_SPIN_NANOS (the clock read every 64 spins), then sleeps until the last chunk ends
  private void awaitChunks() {
    int spins = 0;
    long since = 0;
    while (pending.get() != 0) {
      if ((++spins & 63) != 0) {
        Thread.onSpinWait();
        continue;
      }
      long now = System.nanoTime();
      if (since == 0) {
        since = now;
      } else if (now - since > WAIT_SPIN_NANOS) {
        callerAsleep = true;
        // re-checked after the flag is up: a chunk ending before it unparks nobody
        if (pending.get() != 0) {
          LockSupport.parkNanos(this, WAIT_SPIN_NANOS * 5);
        }
        callerAsleep = false;
      }
    }
  }

  private void runChunks(long gen, RangeBody b, int count, int chunkCount) {
    while (true) {
      long c = claim.get();
      if ((c >>> 32) != gen) {
        return;
      }
      int index = (int) c;
      if (index >= chunkCount) {
        return;
      }
      if (!claim.compareAndSet(c, c + 1)) {
        continue;
      }
      try {
        int from = (int) ((long) count * index / chunkCount);
        int to = (int) ((long) count * (index + 1) / chunkCount);
        b.run(from, to);
      } catch (Throwable t) {
        failure = t;
      } finally {
        if (pending.decrementAndGet() == 0 && callerAsleep) {
          LockSupport.unpark(caller);
        }
      }
    }
  }

  /**
   * A hint that the caller is about to do other work for a while (the workers' cores are better
   * left to other threads meanwhile): idle workers park now instead of spinning. The next {@link
   * #forRange} wakes them as usual. Cheap; no effect with one thread.
   */
  public void rest() {
    if (threads > 1) {
      resting = true;
    }
  }

  private void work() {
    long seen = 0;
    int spins = 0;
    long idleSince = 0;
    while (!closed) {
      Task t = task;
      if (t == null || t.generation() == seen) {
        if (spins == 0) {
          idleSince = System.nanoTime();
        }
        // the clock is read every 64 spins only; resting or spun out: park until unparked. Every
        // 64 spins the worker also yields its core: a caller that shares it (the other core taken
        // by another process) would otherwise wait a scheduler tick for it
        if (resting || ((++spins & 63) == 0 && System.nanoTime() - idleSince > SPIN_NANOS)) {
          LockSupport.park(this);
          spins = 0;
        } else if ((spins & 63) == 0) {
          Thread.yield();
        } else {
          Thread.onSpinWait();
        }
        continue;
      }
      spins = 0;
      seen = t.generation();
      runChunks(t.generation(), t.body(), t.n(), t.chunks());
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Thread w : workers) {
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
  }
}
