package org.recycledattention.model.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.model.ModelFileChangedException;
import org.recycledattention.model.ModelFormatException;

class ModelFilesTest {
  @TempDir
  Path dir;

  private Path file(String name, int size) throws Exception {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) i;
    }
    return Files.write(dir.resolve(name), b);
  }

  @Test
  void aMappedFileThatIsTruncatedOrRewrittenIsReportedNamingIt() throws Exception {
    Path f = file("m.gguf", 8192);
    try (ModelFiles files = new ModelFiles(FileAccess.MAPPED)) {
      files.open(f);
      files.checkUnchanged();
      try (FileChannel c = FileChannel.open(f, StandardOpenOption.WRITE)) {
        c.truncate(4096);
      }
      assertThatThrownBy(files::checkUnchanged).isInstanceOf(ModelFileChangedException.class)
          .hasMessageContaining("model file '" + f + "' changed while in use (its size went from 8192 to 4096 bytes)")
          .hasMessageContaining("--no-mmap");
    }
    Path g = file("g.gguf", 8192);
    try (ModelFiles files = new ModelFiles(FileAccess.MAPPED)) {
      files.open(g);
      Files.write(g, new byte[8192]); // as cp does: same size, new bytes
      Files.setLastModifiedTime(g, FileTime.from(Instant.now().plusSeconds(5)));
      assertThatThrownBy(files::checkUnchanged).isInstanceOf(ModelFileChangedException.class).hasMessageContaining("was modified");
    }
  }

  @Test
  void pollingChecksAtMostEveryTwoMilliseconds() throws Exception {
    Path f = file("m.gguf", 8192);
    try (ModelFiles files = new ModelFiles(FileAccess.MAPPED)) {
      files.open(f);
      files.pollUnchanged(); // checks: the first poll always does
      try (FileChannel c = FileChannel.open(f, StandardOpenOption.WRITE)) {
        c.truncate(100);
      }
      Thread.sleep(3);
      assertThatThrownBy(files::pollUnchanged).isInstanceOf(ModelFileChangedException.class).hasMessageContaining("8192 to 100");
    }
  }

  @Test
  void aMappedFileReplacedByARenameIsNotAnError() throws Exception {
    Path f = file("m.gguf", 4096);
    try (ModelFiles files = new ModelFiles(FileAccess.MAPPED)) {
      MemorySegment data = files.open(f);
      Files.move(file("new.gguf", 100), f, StandardCopyOption.REPLACE_EXISTING);
      assertThatCode(files::checkUnchanged).doesNotThrowAnyException();
      assertThat(data.get(ValueLayout.JAVA_BYTE, 4095)).isEqualTo((byte) 4095); // still the old file
    }
  }

  @Test
  void aFileReadIntoMemoryMayChangeFreely() throws Exception {
    Path f = file("m.gguf", 100_000);
    try (ModelFiles files = new ModelFiles(FileAccess.READ)) {
      MemorySegment data = files.open(f);
      Files.write(f, new byte[1]);
      assertThatCode(files::checkUnchanged).doesNotThrowAnyException();
      assertThat(data.byteSize()).isEqualTo(100_000);
      assertThat(data.get(ValueLayout.JAVA_BYTE, 99_999)).isEqualTo((byte) 99_999);
    }
  }

  @Test
  void aFaultOnATruncatedMappingBecomesTheSameError() throws Exception {
    Path f = file("m.gguf", 8192);
    try (ModelFiles files = new ModelFiles(FileAccess.MAPPED)) {
      files.open(f);
      try (FileChannel c = FileChannel.open(f, StandardOpenOption.WRITE)) {
        c.truncate(0);
      }
      Throwable t = files.translate(new InternalError("a fault occurred in an unsafe memory access operation"));
      assertThat(t).isInstanceOf(ModelFileChangedException.class).hasMessageContaining("m.gguf").hasCauseInstanceOf(InternalError.class);
      InternalError other = new InternalError("something else");
      assertThat(files.translate(other)).isSameAs(other);
    }
  }

  @Test
  void onlyRegularFilesAreOpened() throws Exception {
    try (ModelFiles files = new ModelFiles(FileAccess.READ)) {
      assertThatThrownBy(() -> files.open(dir)).isInstanceOf(ModelFormatException.class).hasMessageContaining("not a regular file");
      assertThatThrownBy(() -> files.open(dir.resolve("missing"))).isInstanceOf(ModelFormatException.class).hasMessageContaining("no such file");
    }
  }
}
