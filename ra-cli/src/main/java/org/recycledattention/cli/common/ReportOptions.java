package org.recycledattention.cli.common;

import java.nio.file.Path;
import java.util.List;
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
   * Checks {@code --out} before any work ({@link EvalSupport#outDir}): it is a directory or can be
   * created, and none of NAME.json, NAME.md, NAME.png in it would replace an input of the command or
   * anything but a regular file.
   *
   * @param name the report's name ("bench", "ruler", ...)
   * @param inputs the files the command reads
   * @throws org.recycledattention.model.io.OutputPathException (exit 2) naming what is wrong
   */
  public void check(String name, List<Path> inputs) {
    if (dir != null) {
      EvalSupport.outDir(dir, inputs, name + ".json", name + ".md", name + ".png");
    }
  }

  /** The directory for the report files, or null when none was asked for. */
  public Path dir() {
    return dir;
  }
}
