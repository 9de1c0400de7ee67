package org.recycledattention.backend.onnx;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;

/**
 * One single-threaded, fully optimised CPU backend for all the tests of a class, created before the
 * first and closed after the last: {@code @RegisterExtension static final SharedBackend backend = new
 * SharedBackend();}.
 */
final class SharedBackend implements BeforeAllCallback, AfterAllCallback {
  private OnnxBackend backend;

  @Override
  public void beforeAll(ExtensionContext context) {
    backend = OnnxBackend.create(new OnnxSettings(1, OnnxSettings.ExecutionProvider.CPU, OnnxSettings.Optimization.ALL));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    backend.close();
  }

  KvCache allocate(CacheSpec spec) {
    return backend.allocate(spec);
  }
}
