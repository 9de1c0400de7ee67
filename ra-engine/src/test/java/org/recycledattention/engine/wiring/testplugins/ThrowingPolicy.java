package org.recycledattention.engine.wiring.testplugins;

import java.util.Set;

/** A policy provider whose constructor throws, as one with a missing native library would. */
public final class ThrowingPolicy extends TestPolicyProvider {
  public ThrowingPolicy() {
    super("throwing", Set.of());
    throw new IllegalStateException("boom: native library libfoo.so not found");
  }
}
