package org.recycledattention.tests.builtin;

import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.tests.BaseKvCacheBackendTestCase;
import org.recycledattention.tests.Providers;

class PytorchBackendTest extends BaseKvCacheBackendTestCase {
  @Override protected KvCacheBackendProvider provider() { return Providers.backend("pytorch"); }
}
