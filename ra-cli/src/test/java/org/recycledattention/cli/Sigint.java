package org.recycledattention.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How this test process treats SIGINT, for the tests that send Ctrl-C to a command they start (also ra-dist's). */
public final class Sigint {
  private Sigint() {}

  /**
   * Whether this process ignores SIGINT (it then stays ignored in the processes it starts): bit 1 of
   * {@code SigIgn} in Linux's {@code /proc/self/status}. Read, not probed: setting a handler to see
   * the old one would leave the signal ignored.
   */
  public static boolean ignored() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("SigIgn:")) {
          return (Long.parseLong(line.substring("SigIgn:".length()).trim(), 16) & 2) != 0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux: assume the default disposition
    }
    return false;
  }
}
