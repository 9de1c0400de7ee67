package org.recycledattention.backend.pytorch;

import java.util.ArrayList;

/**
 * The temporaries of one cache call: tensors (and the odd transfer sub-manager) that must be freed
 * when the call ends, successful or not. One instance per cache, reused, so a step allocates nothing
 * here once warm.
 *
 * <p>Why not a DJL sub-manager per call: PyTorch ops attach their result to the manager of their
 * receiver, which for every op that starts from the cache's storage is the cache's own manager. A
 * sub-manager would need an {@code attach} (two map updates) per temporary on top of its own UUID;
 * closing the temporaries explicitly frees the same memory with less work. Every temporary still
 * belongs to the cache's manager, so {@code close()} of the cache frees anything a bug let through.
 *
 * <p>Usage: {@code int mark = scratch.mark(); try { ... scratch.add(x) ... } finally {
 * scratch.release(mark); }}. Calls nest. Not thread-safe (the cache is not).
 */
final class Scratch {
  private final ArrayList<AutoCloseable> items = new ArrayList<>();

  /** Registers {@code resource} for release and returns it. */
  <T extends AutoCloseable> T add(T resource) {
    items.add(resource);
    return resource;
  }

  int mark() {
    return items.size();
  }

  /** Closes everything added since {@code mark}, newest first. */
  void release(int mark) {
    RuntimeException failure = null;
    for (int i = items.size() - 1; i >= mark; i--) {
      try {
        items.remove(i).close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("failed to free a temporary tensor", e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
