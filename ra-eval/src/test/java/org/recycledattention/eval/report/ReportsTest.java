package org.recycledattention.eval.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.api.RaException;

class ReportsTest {
  @TempDir Path dir;

  @Test
  void failedWriteLeavesNoFileBehind() throws IOException {
    Path target = dir.resolve("report.json");
    Files.writeString(target, "old");
    assertThatThrownBy(() -> AtomicFiles.write(target, out -> {
      out.write("half".getBytes());
      throw new IOException("interrupted");
    })).isInstanceOf(RaException.class).hasMessageContaining("report.json");
    assertThat(Files.readString(target)).isEqualTo("old");
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(target);
    }
  }

  @Test
  void reportsAreOrdinaryReadableFiles() throws IOException {
    Path target = dir.resolve("r.md");
    AtomicFiles.writeString(target, "x");
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-r--r--");
  }

  @Test
  void pngChartIsARealImage() throws IOException {
    Path png = dir.resolve("c.png");
    Charts.lineChart(png, "t", "x", "y", List.of(new Charts.Series("a", List.of(1.0, 2.0, 4.0), List.of(3.0, 2.0, 1.0))), true);
    var image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(900);
    assertThat(image.getHeight()).isEqualTo(560);
  }

  @Test
  void markdownTableAlignsColumns() {
    String md = new MarkdownTable("policy", ">tok/s").row("full", "10.0").row("recycled", "25.5").toMarkdown();
    assertThat(md).isEqualTo("""
        | policy   | tok/s |
        | -------- | ----: |
        | full     |  10.0 |
        | recycled |  25.5 |
        """);
  }
}
