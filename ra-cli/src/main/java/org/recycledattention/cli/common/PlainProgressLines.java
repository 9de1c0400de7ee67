package org.recycledattention.cli.common;

import java.io.PrintStream;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ProgressBarConsumer;

/**
 * A progress bar's output for a log file, a pipe or CI, where nobody watches a terminal: the bar
 * redraws itself every 250 ms with a carriage return, which on a terminal overwrites the line and in
 * a file adds one (a training run's log grew by megabytes of redraws). This consumer writes whole
 * lines instead: the first state, then at most one every {@code everyMillis}, and the last state when
 * the bar closes (unless it was just written). With {@code everyMillis < 0} it writes nothing, for
 * commands that log their own lines.
 */
final class PlainProgressLines implements ProgressBarConsumer {
  private final PrintStream out;
  private final long everyMillis;
  private final LongSupplier clockMillis;
  private String pending;
  private long lastWritten = Long.MIN_VALUE;

  PlainProgressLines(PrintStream out, long everyMillis, LongSupplier clockMillis) {
    this.out = out;
    this.everyMillis = everyMillis;
    this.clockMillis = clockMillis;
  }

  @Override
  public int getMaxRenderedLength() {
    return 160;
  }

  @Override
  public void accept(String rendered) {
    if (everyMillis < 0) {
      return;
    }
    pending = rendered.replace('\r', ' ').strip();
    long now = clockMillis.getAsLong();
    if (lastWritten == Long.MIN_VALUE || now - lastWritten >= everyMillis) {
      write(now);
    }
  }

  private void write(long now) {
    out.println(pending);
    out.flush();
    pending = null;
    lastWritten = now;
  }

  @Override
  public void close() {
    if (pending != null) {
      write(clockMillis.getAsLong());
    }
  }
}
