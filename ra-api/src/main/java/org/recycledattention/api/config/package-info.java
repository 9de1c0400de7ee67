/**
 * Typed, layered configuration.
 *
 * <p>Keys: {@code ra.policy}, {@code ra.backend}, {@code ra.budget} (the token budget K shared by
 * every non-full policy, so that comparisons are at equal budget), {@code ra.policy.<name>.<key>}
 * and {@code ra.backend.<name>.<key>}. Layers, lowest to highest: built-in defaults, a properties
 * file, the environment ({@code RA_POLICY}, {@code RA_BUDGET}, {@code RA_POLICY_RECYCLED_STRIDE},
 * ...), the command line. Each provider declares its keys as {@link
 * org.recycledattention.api.config.ConfigProperty}s; {@link
 * org.recycledattention.engine.config.ConfigValidator} rejects unknown keys, wrong types and
 * out-of-range values before any work starts.
 */
package org.recycledattention.api.config;
