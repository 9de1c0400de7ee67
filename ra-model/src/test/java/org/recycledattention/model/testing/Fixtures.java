package org.recycledattention.model.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** The shared fixtures ({@code ../shared/fixtures}, or {@code -Dra.fixtures}); a test skips when they are absent. */
public final class Fixtures {
  private Fixtures() {}

  /** The stories260K fixture folder; skips the test when it is absent. */
  public static Path stories() {
    Path dir = Path.of(System.getProperty("ra.fixtures", "../shared/fixtures")).resolve("stories260K");
    Assumptions.assumeTrue(Files.isDirectory(dir), "fixtures not found at " + dir.toAbsolutePath() + " (set -Dra.fixtures)");
    return dir;
  }
}
