/**
 * {@code ra eval fidelity}, {@code ra eval ruler} and {@code ra demo}: policies compared on one backend
 * at one budget, by agreement with full attention or by accuracy on generated RULER-style tasks.
 */
package org.recycledattention.cli.eval;
