package org.recycledattention.model.io;

import static java.util.Objects.requireNonNull;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.List;
import org.recycledattention.api.RaException;

/**
 * Writes the files a command produces, safely. Two rules, one place:
 *
 * <ol>
 *   <li><b>Check before any work</b> ({@link #check}, {@link #checkDirectory}): the target is
 *       never an input of the same command (compared by real path and by file key, so {@code
 *       d/../d/./m.gguf} and hard links are caught); it is a regular file or does not exist yet (a
 *       directory, FIFO, socket or device is refused, never replaced); a symbolic link is followed
 *       only to a file in the same directory; its directory exists and is writable or can be created.
 *   <li><b>Write completely or not at all</b> ({@link #write}): into a temporary file in the
 *       target's directory, forced to disk, then renamed over the target (atomically where the
 *       file system can). An interrupted or failed write leaves the target as it was and no
 *       temporary file behind.
 * </ol>
 *
 * <p>Stateless and thread-safe.
 */
public final class OutputFiles {
  private OutputFiles() {}

  /** Something that writes a whole file's content to a stream (not closed by it). */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Checks that a command may write {@code target}, before it does any work.
   *
   * @param inputs the files and directories the command reads (a directory stands for the files
   *     directly in it); missing ones are ignored
   * @param what how the user gave the target, for messages (for example {@code --out})
   * @return the file that will be replaced: {@code target}, or the file a symbolic link in {@code
   *     target}'s directory points to
   * @throws OutputPathException (exit 2) naming the target and what to do instead
   */
  public static Path check(Path target, Collection<Path> inputs, String what) {
    requireNonNull(target, "target is null");
    requireNonNull(inputs, "inputs is null");
    Path file = resolve(target, what);
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      for (Path input : inputs) {
        for (Path in : expand(input)) {
          if (sameFile(file, in)) {
            throw new OutputPathException(what + " '" + target + "' is " + (in.equals(input) ? "" : "in ") + "an input of this command ('"
                + input + "'" + (file.equals(target) ? "" : ", through '" + file + "'") + "); writing it would destroy the input: choose another file");
          }
        }
      }
    }
    return file;
  }

  /**
   * Checks a directory a command will write reports into, before any work: it is a directory, or
   * it can be created (its nearest existing ancestor is a writable directory). Creates nothing.
   *
   * @throws OutputPathException (exit 2) naming the directory
   */
  public static Path checkDirectory(Path dir, String what) {
    requireNonNull(dir, "dir is null");
    Path abs = dir.toAbsolutePath();
    if (Files.exists(abs)) {
      if (!Files.isDirectory(abs)) {
        throw new OutputPathException(what + " '" + dir + "' exists and is not a directory; pass a directory for the reports");
      }
      if (!Files.isWritable(abs)) {
        throw new OutputPathException(what + " '" + dir + "' is not writable; pass a directory you can write to");
      }
      return abs;
    }
    Path existing = abs.getParent();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null || !Files.isDirectory(existing)) {
      throw new OutputPathException(what + " '" + dir + "' cannot be created: '" + existing + "' is not a directory; pass a directory for the reports");
    }
    if (!Files.isWritable(existing)) {
      throw new OutputPathException(what + " '" + dir + "' cannot be created: '" + existing + "' is not writable; pass a directory you can write to");
    }
    return abs;
  }

  /**
   * Writes {@code target} completely or not at all: {@code content} goes to a temporary file in the
   * target's directory (created if needed), which is forced to disk and renamed over the target.
   * The target is checked as {@link #check} checks it (without inputs) before and again just
   * before the rename.
   *
   * @throws OutputPathException when the target may not be written
   * @throws RaException (exit 1) naming the file when writing fails; the target is then unchanged
   */
  public static void write(Path target, Content content) {
    requireNonNull(content, "content is null");
    check(target, List.of(), "output file");
    Path tmp = null;
    try {
      Files.createDirectories(target.toAbsolutePath().normalize().getParent());
      // checked again now that the directory exists: the file to replace is named by its real directory
      Path file = check(target, List.of(), "output file");
      tmp = Files.createTempFile(file.getParent(), "." + file.getFileName() + ".", ".tmp");
      try {
        // an interrupted process (Ctrl-C runs the JVM's shutdown) must not leave the partial file behind
        tmp.toFile().deleteOnExit();
      } catch (IllegalStateException shuttingDown) {
        // written by a shutdown hook (a partial report): the finally below deletes it on failure
      }
      if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      }
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        // a writer that closes its stream (Jackson does) must not close the channel before it is forced
        content.writeTo(new FilterOutputStream(out) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
          }

          @Override
          public void close() throws IOException {
            out.flush();
          }
        });
        out.flush();
        channel.force(true);
      }
      if (!check(target, List.of(), "output file").equals(file)) {
        throw new OutputPathException("output file '" + target + "' was replaced by a symbolic link while it was being written; nothing was written");
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException | UncheckedIOException e) {
      String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage() != null ? e.getMessage() : e.toString();
      throw new RaException("cannot write '" + target + "': " + SafeText.of(reason) + "; check that the folder is writable and has space", e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: the temporary name starts with a dot and ends with .tmp
        }
      }
    }
  }

  /** The file {@code target} names for writing, with the checks that need no inputs. */
  private static Path resolve(Path target, String what) {
    Path abs = target.toAbsolutePath().normalize();
    if (abs.getFileName() == null) {
      throw new OutputPathException(what + " '" + target + "' names no file; pass a file name such as model.gguf");
    }
    Path parent = abs.getParent();
    Path realParent = realParent(parent);
    Path file = realParent == null ? abs : realParent.resolve(abs.getFileName());
    BasicFileAttributes attrs = attributes(file);
    if (attrs == null) {
      return file;
    }
    if (attrs.isSymbolicLink()) {
      Path real;
      try {
        real = file.toRealPath();
      } catch (IOException e) {
        throw new OutputPathException(what + " '" + target + "' is a symbolic link to nothing (" + SafeText.of(String.valueOf(e.getMessage()))
            + "); refusing to follow it: remove the link or pass another file");
      }
      if (!real.getParent().equals(realParent)) {
        throw new OutputPathException(what + " '" + target + "' is a symbolic link to '" + real + "', outside '" + realParent
            + "'; refusing to follow it: remove the link or pass the file itself");
      }
      file = real;
      attrs = attributes(file);
    }
    if (attrs != null && attrs.isDirectory()) {
      throw new OutputPathException(what + " '" + target + "' is a directory; pass a file name, such as one in that directory");
    }
    if (attrs != null && !attrs.isRegularFile()) {
      throw new OutputPathException(what + " '" + target + "' is not a regular file (" + kind(file, attrs)
          + "); refusing to replace it: pass the name of a regular file or of a new one");
    }
    return file;
  }

  /** The real path of {@code dir}, or null when it does not exist yet (it will be created). */
  private static Path realParent(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return null;
    }
    try {
      return dir.toRealPath();
    } catch (IOException e) {
      return null;
    }
  }

  private static BasicFileAttributes attributes(Path p) {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      return null;
    }
  }

  /** "a directory", "a FIFO", "a character device", ... */
  private static String kind(Path p, BasicFileAttributes attrs) {
    if (attrs.isDirectory()) {
      return "a directory";
    }
    try {
      int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return switch (mode & 0170000) {
        case 0010000 -> "a FIFO";
        case 0020000 -> "a character device";
        case 0060000 -> "a block device";
        case 0140000 -> "a socket";
        default -> "a special file";
      };
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
      return "a special file";
    }
  }

  /** {@code input}, and the files directly in it when it is a directory. */
  private static List<Path> expand(Path input) {
    if (!Files.isDirectory(input)) {
      return List.of(input);
    }
    try (var files = Files.list(input)) {
      return files.toList();
    } catch (IOException | UncheckedIOException e) {
      return List.of(input);
    }
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.exists(b) && Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }
}
