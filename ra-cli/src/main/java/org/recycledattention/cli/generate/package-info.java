/** {@code ra generate}: decode from a prompt with the selected policy and backend, streamed or as one JSON object. */
package org.recycledattention.cli.generate;
