package org.recycledattention.engine.wiring.testplugins;

import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;

/** Policy "alpha", needs SCORES; loaded from a plugin jar by ServiceLoader. */
public final class AlphaPolicy extends TestPolicyProvider {
  public AlphaPolicy() {
    super("alpha", Set.of(BackendCapability.SCORES));
  }
}
