package org.recycledattention.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.api.RaException;

class OutputFilesTest {
  @TempDir
  Path dir;

  private static void write(Path target, String text) {
    OutputFiles.write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
  }

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesCompletelyAndLeavesNoTemporaryFile() throws IOException {
    Path f = dir.resolve("report.json");
    write(f, "one");
    write(f, "two");
    assertThat(Files.readString(f)).isEqualTo("two");
    assertThat(names()).containsExactly("report.json");
    write(dir.resolve("new/sub/r.md"), "x");
    assertThat(Files.readString(dir.resolve("new/sub/r.md"))).isEqualTo("x");
  }

  @Test
  void aFailedWriteLeavesTheTargetAsItWas() throws IOException {
    Path f = Files.writeString(dir.resolve("model.gguf"), "old");
    assertThatThrownBy(() -> OutputFiles.write(f, out -> {
      out.write(1);
      throw new IOException("disk full");
    })).isInstanceOf(RaException.class).hasMessageContaining("cannot write").hasMessageContaining("disk full");
    assertThat(Files.readString(f)).isEqualTo("old");
    assertThat(names()).containsExactly("model.gguf");
  }

  @Test
  void anInputIsRecognisedByAnySpellingAndByHardLink() throws IOException {
    Path in = Files.writeString(dir.resolve("m.gguf"), "weights");
    Files.createDirectories(dir.resolve("d"));
    Path link = Files.createLink(dir.resolve("link.gguf"), in);
    for (Path out : List.of(in, dir.resolve("d/.././m.gguf"), link)) {
      assertThatThrownBy(() -> OutputFiles.check(out, List.of(in), "--out")).as("%s", out).isInstanceOf(OutputPathException.class)
          .hasMessageContaining("an input of this command");
    }
    // a file inside an input directory (a safetensors model) is an input too
    Path model = Files.createDirectories(dir.resolve("hf"));
    Path config = Files.writeString(model.resolve("config.json"), "{}");
    assertThatThrownBy(() -> OutputFiles.check(config, List.of(model), "--out")).isInstanceOf(OutputPathException.class);
    assertThat(OutputFiles.check(dir.resolve("other.gguf"), List.of(in, model), "--out")).isEqualTo(dir.toRealPath().resolve("other.gguf"));
  }

  @Test
  void onlyRegularFilesAreReplaced() throws Exception {
    Path sub = Files.createDirectories(dir.resolve("sub"));
    assertThatThrownBy(() -> OutputFiles.check(sub, List.of(), "--out")).isInstanceOf(OutputPathException.class).hasMessageContaining("is a directory");
    Path fifo = dir.resolve("fifo");
    Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(mk.waitFor() == 0, "mkfifo is not available");
    assertThatThrownBy(() -> OutputFiles.check(fifo, List.of(), "--out")).isInstanceOf(OutputPathException.class).hasMessageContaining("a FIFO");
    assertThatThrownBy(() -> write(fifo, "x")).isInstanceOf(OutputPathException.class);
    assertThatThrownBy(() -> OutputFiles.check(Path.of("/dev/null"), List.of(), "--out")).isInstanceOf(OutputPathException.class)
        .hasMessageContaining("a character device");
  }

  @Test
  void symbolicLinksAreFollowedOnlyWithinTheirDirectory() throws IOException {
    Path outside = Files.writeString(Files.createDirectories(dir.resolve("elsewhere")).resolve("victim"), "keep");
    Path out = Files.createDirectories(dir.resolve("out"));
    Path away = Files.createSymbolicLink(out.resolve("away"), outside);
    assertThatThrownBy(() -> write(away, "x")).isInstanceOf(OutputPathException.class).hasMessageContaining("outside");
    assertThat(Files.readString(outside)).isEqualTo("keep");
    Path dangling = Files.createSymbolicLink(out.resolve("dangling"), out.resolve("nothing"));
    assertThatThrownBy(() -> write(dangling, "x")).isInstanceOf(OutputPathException.class).hasMessageContaining("to nothing");
    Path real = Files.writeString(out.resolve("real"), "old");
    Path near = Files.createSymbolicLink(out.resolve("near"), real.getFileName());
    write(near, "new");
    assertThat(Files.isSymbolicLink(near)).isTrue();
    assertThat(Files.readString(real)).isEqualTo("new");
  }

  @Test
  void aReportDirectoryIsCheckedWithoutBeingCreated() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> OutputFiles.checkDirectory(file, "--out")).isInstanceOf(OutputPathException.class).hasMessageContaining("not a directory");
    assertThatThrownBy(() -> OutputFiles.checkDirectory(file.resolve("sub"), "--out")).isInstanceOf(OutputPathException.class)
        .hasMessageContaining("cannot be created");
    OutputFiles.checkDirectory(dir.resolve("a/b/c"), "--out");
    assertThat(dir.resolve("a")).doesNotExist();
  }
}
