package org.recycledattention.model;

import static java.util.Objects.requireNonNull;

import org.recycledattention.api.RaException;

/**
 * The forward pass produced NaN or infinity: names the layer (or the logits), the position and,
 * once decoding has added it ({@link #during}), the step. Exit code 1: the input was valid, the
 * model file's numbers are not.
 */
public final class NumericalException extends RaException {
  private final String subject;
  private final int layer;
  private final int position;
  private final String step;
  private final String advice;

  /**
   * @param subject what is not finite: "the output of layer 3", "the logits"
   * @param layer the layer, or -1 for the logits
   * @param position the sequence position being computed
   * @param advice what is probably wrong, for the user
   */
  public NumericalException(String subject, int layer, int position, String advice) {
    this(subject, layer, position, "", advice);
  }

  private NumericalException(String subject, int layer, int position, String step, String advice) {
    super(requireNonNull(subject, "subject is null") + " is not finite (NaN or infinity) at position " + position + step + "; " + advice);
    this.subject = subject;
    this.layer = layer;
    this.position = position;
    this.step = step;
    this.advice = requireNonNull(advice, "advice is null");
  }

  /** The same failure, naming the step it happened in ({@code "decode step 3"}, {@code "prefill"}). */
  public NumericalException during(String stepDescription) {
    NumericalException e = new NumericalException(subject, layer, position, " (" + stepDescription + ")", advice);
    e.setStackTrace(getStackTrace());
    return e;
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
