package org.recycledattention.api.policy;

import java.util.Set;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.model.ModelShape;
import org.recycledattention.api.provider.NamedProvider;

/**
 * Entry point of an attention policy, found by {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/org.recycledattention.api.policy.AttentionPolicyProvider}.
 *
 * <p>Thread-safe; {@link #create} is called once per sequence.
 */
public interface AttentionPolicyProvider extends NamedProvider {
  /** Whether the policy reads {@code ra.budget} (every policy but full attention does). */
  default boolean usesBudget() {
    return true;
  }

  /**
   * Backend capabilities the policy's plans and working-set operations need. The engine refuses a
   * backend that lacks one, before any work starts.
   */
  Set<BackendCapability> requiredCapabilities();

  /**
   * A fresh policy for one sequence.
   *
   * @param config the budget and this provider's validated keys
   * @param shape the model's attention geometry
   * @throws org.recycledattention.api.config.ConfigException when values are valid one by one but
   *     not together (naming the keys)
   */
  AttentionPolicy create(PolicyConfig config, ModelShape shape);
}
