package org.recycledattention.engine.model;

import org.recycledattention.api.RaException;

/**
 * The forward pass produced NaN or infinity: names the layer (or the logits) and the position.
 * Exit code 1: the input was valid, the model file's numbers are not.
 */
public final class NumericalException extends RaException {
  private final int layer;
  private final int position;

  public NumericalException(String message, int layer, int position) {
    super(message);
    this.layer = layer;
    this.position = position;
  }

  /** The first layer whose output was not finite, or -1 when only the logits were. */
  public int layer() {
    return layer;
  }

  /** The sequence position being computed. */
  public int position() {
    return position;
  }
}
