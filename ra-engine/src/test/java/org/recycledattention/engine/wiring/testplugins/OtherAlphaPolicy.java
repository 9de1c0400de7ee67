package org.recycledattention.engine.wiring.testplugins;

import java.util.Set;

/** A second policy named "alpha": with {@link AlphaPolicy} in another jar, a duplicate. */
public final class OtherAlphaPolicy extends TestPolicyProvider {
  public OtherAlphaPolicy() {
    super("alpha", Set.of());
  }
}
