package org.recycledattention.model.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Run in a JVM of its own by {@link TruncatedMappingTest}: for every supported tensor type, maps a
 * file, runs the type's kernels until the JIT has compiled them, truncates the file and runs them
 * again. Prints {@code fault TYPE ExceptionClass} per type and {@code done} at the end; a JVM crash
 * (SIGBUS in compiled code) ends it early with exit code 134.
 */
public final class TruncatedMappingProbe {
  private static final int ROWS = 4;
  private static final int COLS = 256;

  private TruncatedMappingProbe() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    for (GgmlType type : GgmlType.values()) {
      if (!type.supported()) {
        continue;
      }
      Path file = dir.resolve(type.name() + ".bin");
      Files.write(file, new byte[(int) type.bytes((long) ROWS * COLS)]); // zeros are valid data of every type
      try (Arena arena = Arena.ofShared(); FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        FloatTensor t = FloatTensor.of(file, 0, type.name(), type, mapped, ROWS, COLS);
        Input x = Input.of(t.inputFormat(), new float[COLS * 2], 2, COLS);
        float[] out = new float[ROWS * 2];
        for (int i = 0; i < 12_000; i++) {
          t.dotRows(x, 0, out, 0, 0, ROWS);
          t.dotRowsBatch(x, out, 0, ROWS);
        }
        try (FileChannel w = FileChannel.open(file, StandardOpenOption.WRITE)) {
          w.truncate(0);
        }
        System.out.println("truncated " + type);
        System.out.flush();
        String what = "none";
        try {
          for (int i = 0; i < 100; i++) {
            t.dotRows(x, 0, out, 0, 0, ROWS);
            t.dotRowsBatch(x, out, 0, ROWS);
          }
        } catch (Throwable e) {
          what = e.getClass().getName();
        }
        System.out.println("fault " + type + " " + what);
        System.out.flush();
      }
    }
    System.out.println("done");
  }
}
