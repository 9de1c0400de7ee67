package org.recycledattention.cli.common;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --json} and {@code --out DIR}: how a measuring command reports, besides its table on stdout. */
public final class ReportOptions {
  @Option(names = "--json", description = "Print JSON instead of the table.")
  boolean json;

  @Option(names = "--out", paramLabel = "DIR", description = "Also write ${COMMAND-NAME}.json, ${COMMAND-NAME}.md and ${COMMAND-NAME}.png there.")
  Path dir;

  /** Whether to print JSON instead of the table. */
  public boolean json() {
    return json;
  }

  /**
   * Checks {@code --out} before any work: it must be a directory or not exist yet.
   *
   * @throws UsageException when it names something that is not a directory
   */
  public void check() {
    if (dir != null) {
      EvalSupport.outDir(dir);
    }
  }

  /** The directory for the report files, or null when none was asked for. */
  public Path dir() {
    return dir;
  }
}
