package org.recycledattention.policy.h2o;

import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.tests.BaseAttentionPolicyTestCase;
import org.recycledattention.tests.Providers;

class H2oConformanceTest extends BaseAttentionPolicyTestCase {
  @Override protected AttentionPolicyProvider provider() { return Providers.policy("h2o"); }
}
