/**
 * The conformance kit: abstract JUnit 5 test classes that every attention policy and KV-cache
 * backend, built-in or third-party, extends to get the whole suite (as Lucene's {@code
 * BaseXxxFormatTestCase}).
 *
 * <h2>Use</h2>
 * Add {@code org.recycledattention:ra-tests} with {@code <scope>test</scope>} and write three lines:
 * <pre>{@code
 * class TovaPolicyTest extends BaseAttentionPolicyTestCase {
 *   @Override protected AttentionPolicyProvider provider() { return new TovaPolicyProvider(); }
 * }
 * }</pre>
 * <ul>
 *   <li>{@link org.recycledattention.tests.BaseAttentionPolicyTestCase} drives the policy the way the
 *       engine does (per layer: append, plan, attend, observe) over the reference {@code cpu}
 *       backend and checks full-attention equivalence at a large budget, the budget bound, seeded
 *       determinism, isolation between sequences, configuration errors and that plans and
 *       working-set operations stay within the declared capabilities.
 *   <li>{@link org.recycledattention.tests.BaseKvCacheBackendTestCase} compares {@code attend}, scores
 *       and top-K selection with {@link org.recycledattention.tests.ReferenceAttention}, a plain
 *       double-precision model of a cache, and checks resident bytes, isolation, close, and that
 *       every undeclared {@link org.recycledattention.api.cache.BackendCapability} fails cleanly
 *       (Trino's {@code hasBehavior}). It skips, by assumption, when the backend is not available.
 * </ul>
 *
 * <h2>Randomness</h2>
 * Every test method draws its data from one seed ({@link org.recycledattention.tests.TestSeed}). A
 * failure prints {@code reproduce with: -Dra.tests.seed=...}; passing that system property makes
 * every test method use that seed.
 *
 * <p>Depends on ra-api, JUnit 5 and AssertJ only; never on the
 * engine.
 */
package org.recycledattention.tests;
