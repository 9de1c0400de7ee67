/** {@code ra bench}: decode tokens/s against context length for every policy and backend, prefill excluded. */
package org.recycledattention.cli.bench;
