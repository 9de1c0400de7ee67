/**
 * Measurement: fidelity of a policy to full attention, the decode benchmark against context length,
 * synthetic benchmark models, RULER-style tasks, and the reports (JSON, Markdown, PNG charts) they
 * produce. Depends on ra-engine; the CLI depends on this.
 */
package org.recycledattention.eval;
