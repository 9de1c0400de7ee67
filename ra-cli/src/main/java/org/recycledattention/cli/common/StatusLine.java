package org.recycledattention.cli.common;

import org.recycledattention.model.io.SafeText;

/**
 * What the running command has done so far, for the message printed when the process is
 * interrupted (Ctrl-C, SIGTERM): {@code Main} registers a shutdown hook that prints {@link
 * #report()} unless the command finished. A command that measures cell by cell registers a {@link
 * PartialReport}, which the hook asks to write the finished cells (marked partial) before it
 * prints the line. Thread-safe: commands update it from their worker thread, the hook reads it
 * from the JVM's shutdown thread.
 */
public final class StatusLine {
  /** Writes what is finished as a report marked partial; returns what it wrote, for the line ("3 cells to out/bench.json"). */
  @FunctionalInterface
  public interface PartialReport {
    String write();
  }

  private volatile String done = "no finished step";
  private volatile boolean finished;
  private PartialReport partial;
  private boolean interrupted;

  /** Replaces the description of what is done ("3 of 8 benchmark rounds"). */
  public void update(String whatIsDone) {
    done = whatIsDone;
  }

  /** Registers what to write if the command is interrupted (replacing any earlier one). */
  public synchronized void partialReport(PartialReport report) {
    partial = report;
  }

  /**
   * The command has finished its work and is about to write its complete reports: no partial report
   * any more. False when an interruption came first (its partial report is written or being
   * written): the command must then write nothing more.
   */
  public synchronized boolean workDone() {
    partial = null;
    return !interrupted;
  }

  public void finish() {
    finished = true;
  }

  public boolean finished() {
    return finished;
  }

  /** One line for stderr when interrupted; writes the partial report first, when there is one. */
  public synchronized String report() {
    interrupted = true;
    PartialReport p = partial;
    String head = "ra: interrupted after " + done;
    if (p == null) {
      return head + "; reports are written only when complete, so none was left half-written";
    }
    try {
      return head + "; wrote a partial report (marked partial) of " + p.write();
    } catch (RuntimeException e) {
      return head + "; the partial report could not be written: " + SafeText.line(e.getMessage());
    }
  }
}
