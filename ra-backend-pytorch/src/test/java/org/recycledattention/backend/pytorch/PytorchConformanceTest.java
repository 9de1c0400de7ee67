package org.recycledattention.backend.pytorch;

import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.tests.BaseKvCacheBackendTestCase;
import org.recycledattention.tests.Providers;

class PytorchConformanceTest extends BaseKvCacheBackendTestCase {
  @Override protected KvCacheBackendProvider provider() { return Providers.backend("pytorch"); }
}
