package org.recycledattention.api.cache;

import org.recycledattention.api.plan.StepPlan;

/**
 * The keys and values of one sequence, and attention over them. See the package documentation for
 * layouts, slots and stores.
 *
 * <p>Memory: the cache owns all of its storage (heap, native or device) and frees it in {@link
 * #close()}. After close every method but {@code close} throws {@link IllegalStateException}.
 *
 * <p><b>NOTE:</b> not thread-safe: one cache per sequence, used by one thread at a time. Different
 * caches of one backend may be used concurrently.
 */
public interface KvCache extends AutoCloseable {
  CacheSpec spec();

  /** The storage type of keys and values. */
  KvDtype storageDtype();

  /**
   * Appends {@code tokens} entries to the main store of {@code layer}.
   *
   * @param k keys after RoPE, {@code tokens × kvHeads × headDim}
   * @param v values, same shape
   * @param positions the sequence positions of the tokens
   * @throws IllegalStateException when {@code spec().maxTokens()} would be exceeded
   * @throws IllegalArgumentException when an array is shorter than the shape says
   */
  void append(int layer, float[] k, float[] v, int[] positions, int tokens);

  /**
   * Computes attention of the step's queries over what {@code plan} names and writes it to {@code
   * out}.
   *
   * @param q queries after RoPE, {@code queries × queryHeads × headDim}
   * @param queries 1 for decoding; more for a prefill chunk (needs {@link
   *     BackendCapability#MULTI_QUERY} and a {@link StepPlan.Full} plan)
   * @param out receives {@code queries × queryHeads × headDim}
   * @throws UnsupportedOperationException naming the capability the plan needs and the backend lacks
   */
  AttentionResult attend(int layer, float[] q, int queries, StepPlan plan, float[] out);

  /** The working-set operations of {@code layer}. The same view every time. */
  WorkingSet workingSet(int layer);

  /**
   * Offers the caller's kernel threads for this cache's attention calls. Returns whether the cache
   * will run its parallel work on them from now on; the caller then keeps them ready between
   * {@code attend} calls instead of leaving the cores to other threads. Results do not depend on
   * it. The default declines (a cache with its own threads or none).
   */
  default boolean shareThreads(KernelThreads threads) {
    return false;
  }

  /** Counters since allocation. */
  CacheStats stats();

  /** Frees every byte the cache holds. Idempotent. */
  @Override
  void close();
}
