/**
 * Cross-backend equivalence on a real model: every available backend against the reference {@code
 * cpu} backend, under every built-in policy, through the engine's forward pass.
 */
package org.recycledattention.engine.crossbackend;
