package org.recycledattention.examples.trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.tests.BaseAttentionPolicyTestCase;

/** The conformance kit: the trace is full attention, whatever it writes. */
class TracePolicyTest extends BaseAttentionPolicyTestCase {
  private static final Path TRACE;

  static {
    try {
      TRACE = Files.createTempFile("ra-trace-kit-", ".txt");
      TRACE.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override protected AttentionPolicyProvider provider() { return new TracePolicyProvider(); }
  @Override protected Map<String, String> config() { return Map.of("file", TRACE.toString()); }
}
