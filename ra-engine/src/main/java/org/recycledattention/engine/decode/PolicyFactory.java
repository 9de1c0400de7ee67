package org.recycledattention.engine.decode;

import java.util.Objects;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.policy.AttentionPolicy;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;

/**
 * The selected policy with its validated configuration: makes one fresh {@link AttentionPolicy}
 * per sequence. Immutable and thread-safe.
 */
public record PolicyFactory(AttentionPolicyProvider provider, PolicyConfig config) {
  public PolicyFactory {
    Objects.requireNonNull(provider, "provider is null");
    Objects.requireNonNull(config, "config is null");
  }

  public String name() {
    return provider.name();
  }

  /** A new policy for one sequence of a model of this shape. */
  public AttentionPolicy create(ModelShape shape) {
    return provider.create(config, shape);
  }
}
