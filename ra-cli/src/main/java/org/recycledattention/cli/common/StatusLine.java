package org.recycledattention.cli.common;

/**
 * What the running command has done so far, for the message printed when the process is
 * interrupted (Ctrl-C): {@link Main#main} registers a shutdown hook that prints {@link #report()}
 * unless the command finished. Thread-safe: commands update it from their worker thread, the hook
 * reads it from the JVM's shutdown thread.
 */
public final class StatusLine {
  private volatile String done = "no finished step";
  private volatile boolean finished;

  /** Replaces the description of what is done ("3 of 8 benchmark rounds"). */
  public void update(String whatIsDone) {
    done = whatIsDone;
  }

  public void finish() {
    finished = true;
  }

  public boolean finished() {
    return finished;
  }

  /** One line for stderr when interrupted. */
  public String report() {
    return "ra: interrupted after " + done + "; reports are written only when complete, so none was left half-written";
  }
}
