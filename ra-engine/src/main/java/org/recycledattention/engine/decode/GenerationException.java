package org.recycledattention.engine.decode;

import org.recycledattention.api.RaException;

/**
 * A generation request that cannot run as asked: an empty prompt, an id outside the vocabulary,
 * a prompt plus output longer than the model's context, a backend that lacks what the policy
 * needs. Exit code 2 (bad input or configuration).
 */
public final class GenerationException extends RaException {
  public GenerationException(String message) {
    super(message, null, USAGE_ERROR);
  }
}
