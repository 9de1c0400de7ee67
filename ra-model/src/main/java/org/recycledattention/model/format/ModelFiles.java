package org.recycledattention.model.format;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.recycledattention.model.ModelFileChangedException;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.io.SafeText;

/**
 * The files a model's tensors are views of, opened as {@link FileAccess} says, in one shared arena
 * that {@link #close()} releases; and the check that they have not changed since
 * ({@link #checkUnchanged()}).
 *
 * <p>A mapped file is identified by its size (through its open channel, so a truncation of the file
 * the mapping shows is seen even after a rename) and by the modification time and file key of its
 * path (so {@code cp} over it is seen). A file replaced by a rename is not an error: the mapping
 * still shows the old file, which no one can change through the path any more.
 *
 * <p>Thread-safe.
 */
public final class ModelFiles implements AutoCloseable {
  /** Reads go through the JDK in chunks of this many bytes. */
  private static final int READ_CHUNK = 1 << 26;
  /** {@link #pollUnchanged()} checks at most this often: a check costs a few microseconds, a tiny model's step not much more. */
  private static final long POLL_NANOS = 2_000_000;

  private record Opened(Path path, FileChannel channel, long size, FileTime modified, Object key) {}

  private final FileAccess access;
  private final Arena arena = Arena.ofShared();
  private final List<Opened> opened = new ArrayList<>();
  private final AtomicLong lastPoll = new AtomicLong(System.nanoTime() - POLL_NANOS);
  private boolean closed;

  public ModelFiles(FileAccess access) {
    this.access = requireNonNull(access, "access is null");
  }

  /** Files that are nobody's: a model built in memory. {@link #checkUnchanged()} does nothing. */
  public static ModelFiles none() {
    return new ModelFiles(FileAccess.READ);
  }

  public FileAccess access() {
    return access;
  }

  /**
   * The whole of {@code path}, mapped or read into memory, valid until {@link #close()}.
   *
   * @throws ModelFormatException when it is not a regular file or cannot be read
   * @throws ModelFileChangedException when it changed while being read into memory
   */
  public synchronized MemorySegment open(Path path) {
    requireNonNull(path, "path is null");
    if (closed) {
      throw new IllegalStateException("the model's files are closed");
    }
    BasicFileAttributes before = attributes(path);
    if (before == null || !before.isRegularFile()) {
      throw new ModelFormatException(path, -1, before == null ? "no such file" : "not a regular file; a model is read from regular files");
    }
    FileChannel ch = null;
    try {
      ch = FileChannel.open(path, StandardOpenOption.READ);
      long size = ch.size();
      MemorySegment data;
      if (access == FileAccess.MAPPED) {
        data = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        opened.add(new Opened(path, ch, size, before.lastModifiedTime(), before.fileKey()));
        ch = null; // kept open: its size is the mapped file's
      } else {
        data = arena.allocate(Math.max(size, 1), 64).asSlice(0, size);
        for (long at = 0; at < size; ) {
          ByteBuffer chunk = data.asSlice(at, Math.min(READ_CHUNK, size - at)).asByteBuffer();
          while (chunk.hasRemaining()) {
            if (ch.read(chunk, at + chunk.position()) < 0) {
              throw new ModelFileChangedException(path, "it ended at byte " + (at + chunk.position()) + " while being read; it had " + size, null);
            }
          }
          at += chunk.capacity();
        }
        BasicFileAttributes after = attributes(path);
        if (after == null || after.size() != size || !after.lastModifiedTime().equals(before.lastModifiedTime())) {
          throw new ModelFileChangedException(path, "it was modified while being read", null);
        }
        opened.add(new Opened(path, null, size, before.lastModifiedTime(), before.fileKey()));
      }
      return data;
    } catch (IOException e) {
      throw new ModelFormatException(path, -1, "cannot read the file: " + SafeText.of(String.valueOf(e.getMessage())), e);
    } finally {
      if (ch != null) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // read-only channel: nothing to lose
        }
      }
    }
  }

  /** The files opened so far, in order. */
  public synchronized List<Path> paths() {
    return opened.stream().map(Opened::path).toList();
  }

  /**
   * Checks every mapped file against what it was when opened; cheap (two system calls per file).
   * Files read into memory are not checked: the model no longer depends on them.
   *
   * @throws ModelFileChangedException naming the first file that changed
   */
  public synchronized void checkUnchanged() {
    for (Opened o : opened) {
      String change = change(o);
      if (change != null) {
        throw new ModelFileChangedException(o.path(), change, null);
      }
    }
  }

  /**
   * {@link #checkUnchanged()} unless a check ran within the last 2 ms (so that it costs a tiny model's
   * forward pass nothing measurable): what the model calls before each pass.
   *
   * @throws ModelFileChangedException naming the first file that changed
   */
  public void pollUnchanged() {
    long now = System.nanoTime();
    long last = lastPoll.get();
    if (now - last >= POLL_NANOS && lastPoll.compareAndSet(last, now)) {
      checkUnchanged();
    }
  }

  /**
   * Turns an {@link InternalError} that the JVM raises for a faulting access to a mapped file (a
   * truncation) into a {@link ModelFileChangedException} naming the file; returns any other error.
   */
  public synchronized Throwable translate(InternalError e) {
    if (access != FileAccess.MAPPED || e.getMessage() == null || !e.getMessage().contains("unsafe memory access")) {
      return e;
    }
    for (Opened o : opened) {
      String change = change(o);
      if (change != null) {
        return new ModelFileChangedException(o.path(), change, e);
      }
    }
    Path first = opened.isEmpty() ? Path.of("(no file)") : opened.getFirst().path();
    return new ModelFileChangedException(first, "reading its mapping failed: " + e.getMessage(), e);
  }

  /** What changed in a mapped file since it was opened, or null. */
  private static String change(Opened o) {
    if (o.channel() == null) {
      return null;
    }
    long size;
    try {
      size = o.channel().size();
    } catch (IOException e) {
      return "it can no longer be read: " + e.getMessage();
    }
    if (size != o.size()) {
      return "its size went from " + o.size() + " to " + size + " bytes";
    }
    BasicFileAttributes now = attributes(o.path());
    if (now != null && Objects.equals(now.fileKey(), o.key()) && !now.lastModifiedTime().equals(o.modified())) {
      return "it was modified at " + now.lastModifiedTime();
    }
    return null;
  }

  private static BasicFileAttributes attributes(Path p) {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Opened o : opened) {
      if (o.channel() != null) {
        try {
          o.channel().close();
        } catch (IOException ignored) {
          // read-only channel: nothing to lose
        }
      }
    }
    arena.close();
  }
}
