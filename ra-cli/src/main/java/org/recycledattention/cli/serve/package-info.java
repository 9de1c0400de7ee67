/**
 * {@code ra serve} (the OpenAI-compatible server) and {@code ra load-test} (its loopback load
 * test).
 */
package org.recycledattention.cli.serve;
