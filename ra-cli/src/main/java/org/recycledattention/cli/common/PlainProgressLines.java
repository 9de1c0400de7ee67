package org.recycledattention.cli.common;

import java.io.PrintStream;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ProgressBarConsumer;

/**
 * A progress bar's output for a log file, a pipe or CI, where nobody watches a terminal: the bar
 * redraws itself every 250 ms with a carriage return, which on a terminal overwrites the line and in
 * a file adds one (a training run's log grew by megabytes of redraws). This consumer writes whole
 * lines instead: the first state, one whenever the work passes another tenth ({@link #follow}), one
 * after {@code everyMillis} without a line, and the last state when the bar closes (unless it was just
 * written). With {@code everyMillis < 0} it writes nothing, for commands that log their own lines.
 */
final class PlainProgressLines implements ProgressBarConsumer {
  private final PrintStream out;
  private final long everyMillis;
  private final LongSupplier clockMillis;
  private volatile IntSupplier percent = () -> -1;
  private String pending;
  private long lastWritten = Long.MIN_VALUE;
  private int lastTenth = -1;

  PlainProgressLines(PrintStream out, long everyMillis, LongSupplier clockMillis) {
    this.out = out;
    this.everyMillis = everyMillis;
    this.clockMillis = clockMillis;
  }

  /** Where the work is, in percent (negative while unknown); a line is written at every tenth. */
  PlainProgressLines follow(IntSupplier percent) {
    this.percent = percent;
    return this;
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
    int tenth = percent.getAsInt() / 10;
    if (lastWritten == Long.MIN_VALUE || now - lastWritten >= everyMillis || tenth > lastTenth) {
      write(now);
      lastTenth = Math.max(lastTenth, tenth);
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
