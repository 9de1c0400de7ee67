package org.recycledattention.api.cache;

import java.util.Arrays;

/**
 * The operations a policy may apply to one layer of a cache. A view, owned by the cache; valid as
 * long as the cache is open. Each operation changes every KV head of the layer at once.
 *
 * <p>Slot numbering: see the package documentation (swap-remove on eviction).
 *
 * <p><b>NOTE:</b> not thread-safe, like the cache.
 */
public interface WorkingSet {
  int layer();

  int kvHeads();

  /** Entries per KV head in the main store. */
  int length();

  /** Entries per KV head in the partial cache; 0 when there is none. */
  int partialLength();

  /** Sequence position of a main-store entry. */
  int position(int kvHead, int slot);

  /** Sequence position of a partial-cache entry. */
  int partialPosition(int kvHead, int slot);

  /**
   * Removes one entry per KV head from the main store: {@code slotPerHead[h]} for head {@code h}.
   * The last entry of each head moves into the freed slot. Frees memory (resident bytes drop).
   * Needs {@link BackendCapability#EVICTION}; the partial cache, if any, is cleared.
   */
  void evict(int[] slotPerHead);

  /** {@link #evict} of the same slot in every KV head. */
  default void evictSlot(int slot) {
    int[] s = new int[kvHeads()];
    Arrays.fill(s, slot);
    evict(s);
  }

  /**
   * Keeps only the selected entries of the main store, in selection order (ascending slots), and
   * frees the rest. Needs {@link BackendCapability#EVICTION}; clears the partial cache.
   */
  void retain(Selection selection);

  /**
   * Rebuilds the partial cache as a contiguous copy of the selected main-store entries, in
   * selection order. Needs {@link BackendCapability#PARTIAL_CACHE}.
   */
  void gatherPartial(Selection selection);

  /**
   * Copies the newest main-store entry into the partial cache: for head {@code h} it replaces
   * partial slot {@code replaceSlotPerHead[h]}, or is appended when that is -1 (all heads must then
   * be -1). Needs {@link BackendCapability#PARTIAL_CACHE} and a partial cache.
   */
  void appendToPartial(int[] replaceSlotPerHead);

  /** Drops the partial cache (frees it). */
  void clearPartial();
}
