/**
 * The conformance suites of the built-in policies (full, local, h2o, snapkv, recycled) and backends
 * (cpu, pytorch, onnx), one short class each. They live here, not in their own modules, because
 * ra-tests depends on ra-backend-cpu (a cycle otherwise).
 */
package org.recycledattention.tests.builtin;
