package org.recycledattention.engine.decode;

/**
 * Asks a running generation to stop: {@link #cancel()} from any thread, and the generator stops
 * before its next decode step (after the token it is choosing), returning what it produced with
 * {@link FinishReason#CANCELLED}. A generation whose cancellation is set before it starts does no
 * work at all. One per generation; it cannot be reset.
 *
 * <p>Thread-safe.
 */
public final class Cancellation {
  private volatile boolean cancelled;

  /** Requests the stop. Idempotent. */
  public void cancel() {
    cancelled = true;
  }

  public boolean isCancelled() {
    return cancelled;
  }
}
