/**
 * Reports: JSON (Jackson), Markdown tables, PNG charts (XChart). Every file is written to a
 * temporary name in the target folder and renamed when complete, so an interrupted run never leaves
 * a half-written report.
 */
package org.recycledattention.eval.report;
