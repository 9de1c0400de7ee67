package org.recycledattention.api.cache;

import java.util.function.IntConsumer;

/**
 * The threads that run a sequence's dense kernels, lent to its cache for the parallel part of each
 * attention call ({@link KvCache#shareThreads}). On a machine with few cores a cache's own pool
 * costs a hand-off each way per layer (its workers wake while the kernel threads go to sleep, then
 * the reverse); the kernel threads are already awake between the products of a step.
 *
 * <p>Called from the thread that calls {@link KvCache#attend}, one call at a time.
 */
public interface KernelThreads {
  /** Threads that run a {@link #forEach} call, the calling thread included; at least 1. */
  int threads();

  /**
   * Runs {@code body} for every index in {@code [0, n)}, each once, spread over the threads, and
   * returns when all are done. An exception thrown by the body is rethrown here.
   */
  void forEach(int n, IntConsumer body);
}
