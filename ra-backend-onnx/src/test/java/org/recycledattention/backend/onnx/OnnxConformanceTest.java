package org.recycledattention.backend.onnx;

import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.tests.BaseKvCacheBackendTestCase;
import org.recycledattention.tests.Providers;

class OnnxConformanceTest extends BaseKvCacheBackendTestCase {
  @Override protected KvCacheBackendProvider provider() { return Providers.backend("onnx"); }
}
