/**
 * The built-in probe model, a resource of its own module: ra-cli reads it ({@code ra demo}); ra-train's
 * {@code ra train-probe} writes a new one, which is committed here. Depends on nothing.
 */
package org.recycledattention.probe;
