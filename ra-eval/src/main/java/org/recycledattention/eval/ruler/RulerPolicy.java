package org.recycledattention.eval.ruler;

import static java.util.Objects.requireNonNull;

import org.recycledattention.engine.decode.PolicyFactory;

/**
 * A policy as a RULER run compares it: its configuration and the label its cells carry (the
 * policy's name, or a variant such as {@code recycled:stride=20}). The cell labelled {@code full}
 * is the speed reference.
 */
public record RulerPolicy(String label, PolicyFactory factory) {
  public RulerPolicy {
    requireNonNull(label, "label is null");
    requireNonNull(factory, "factory is null");
  }

  /** The policy labelled by its name. */
  public static RulerPolicy of(PolicyFactory factory) {
    return new RulerPolicy(factory.name(), factory);
  }
}
