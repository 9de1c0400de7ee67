/**
 * TOVA (Oren et al. 2024, "Transformers are Multi-State RNNs"), an example third-party attention
 * policy: a plugin jar that depends on ra-api only, is found by {@link java.util.ServiceLoader}
 * through its {@code META-INF/services} file, and passes the conformance kit.
 *
 * <p>The rule: the cache is a multi-state RNN of at most {@code budget} states. Whenever it holds
 * more, the token with the lowest attention from the current query is dropped, per KV head, with the
 * attention of the group's query heads averaged (the paper's choice) or maxed ({@code
 * group-reduction}).
 */
package org.recycledattention.examples.tova;
