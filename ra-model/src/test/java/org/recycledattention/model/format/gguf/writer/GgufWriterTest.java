package org.recycledattention.model.format.gguf.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.model.format.gguf.GgufFile;
import org.recycledattention.model.format.gguf.GgufValueType;
import org.recycledattention.model.tensor.FloatTensor;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.model.tensor.HalfTensor;

class GgufWriterTest {
  @TempDir Path dir;

  @Test
  void metadataOfEveryTypeReadsBack() {
    GgufWriter w = new GgufWriter()
        .putUInt8("u8", 255).putInt8("i8", -128).putUInt16("u16", 65535).putInt16("i16", -32768)
        .putUInt32("u32", 0xFFFFFFFFL).putInt32("i32", -7).putUInt64("u64", Long.MAX_VALUE).putInt64("i64", Long.MIN_VALUE)
        .putFloat32("f32", 1.5f).putFloat64("f64", Math.PI).putBool("yes", true).putBool("no", false)
        .putString("s", "héllo ▁ 😀")
        .putStrings("strings", List.of("a", "", "▁t300", "<0x0A>"))
        .putInt32s("ints", new int[] {1, -2, 3})
        .putFloat32s("floats", new float[] {-1f, 0.25f})
        .putArray("nested", new GgufArray(GgufValueType.ARRAY, List.of(new GgufArray(GgufValueType.UINT8, List.of(1, 2)),
            new GgufArray(GgufValueType.STRING, List.of("x")))));
    w.addVector("v", GgmlType.F32, new float[] {1, 2, 3});
    Path file = dir.resolve("meta.gguf");
    w.write(file);
    try (GgufFile g = GgufFile.open(file)) {
      assertThat(g.version()).isEqualTo(3);
      var m = g.metadata();
      assertThat(m).containsEntry("u8", 255L).containsEntry("i8", -128L).containsEntry("u16", 65535L).containsEntry("i16", -32768L)
          .containsEntry("i32", -7L).containsEntry("u64", Long.MAX_VALUE).containsEntry("i64", Long.MIN_VALUE)
          .containsEntry("f32", 1.5f).containsEntry("f64", Math.PI).containsEntry("yes", true).containsEntry("no", false)
          .containsEntry("s", "héllo ▁ 😀").containsEntry("strings", List.of("a", "", "▁t300", "<0x0A>"));
      assertThat(((Number) m.get("u32")).longValue() & 0xFFFFFFFFL).isEqualTo(0xFFFFFFFFL);
      assertThat(g.metadataType("u32")).isEqualTo(GgufValueType.UINT32);
      assertThat(g.metadataType("i16")).isEqualTo(GgufValueType.INT16);
      assertThat((int[]) m.get("ints")).containsExactly(1, -2, 3);
      assertThat((float[]) m.get("floats")).containsExactly(-1f, 0.25f);
      assertThat((List<?>) m.get("nested")).hasSize(2);
      assertThat(g.floatTensor("v").toArray()).containsExactly(1, 2, 3);
    }
  }

  @Test
  void tensorsOfEveryTypeReadBackAlignedAndExact() {
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    int rows = 5;
    int cols = 96;
    float[] values = new float[rows * cols];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) rnd.nextGaussian();
    }
    GgufWriter w = new GgufWriter().putString("general.architecture", "test");
    List<GgmlType> types = List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0);
    for (GgmlType t : types) {
      w.addMatrix("m." + t, t, rows, cols, values);
      w.addVector("odd." + t + ".norm", GgmlType.F32, new float[] {1, 2, 3}); // 12 bytes: forces padding before the next tensor
    }
    Path file = dir.resolve("t.gguf");
    w.write(file);
    try (GgufFile g = GgufFile.open(file)) {
      for (GgmlType t : types) {
        var info = g.tensor("m." + t).orElseThrow();
        assertThat(info.dims()).containsExactly(cols, rows);
        assertThat(info.offset() % 32).isZero();
        assertThat(info.type()).isEqualTo(t);
        FloatTensor read = g.floatTensor("m." + t);
        ByteBuffer enc = ByteBuffer.allocate((int) t.bytes(values.length)).order(ByteOrder.LITTLE_ENDIAN);
        switch (t) {
          case Q8_0 -> enc.put(GgmlQuantizerTest.referenceQ8_0(values));
          case Q4_0 -> enc.put(GgmlQuantizerTest.referenceQ4_0(values));
          default -> { }
        }
        for (int i = 0; i < values.length; i++) {
          float expected = switch (t) {
            case F32 -> values[i];
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(values[i]));
            case BF16 -> Float.intBitsToFloat(HalfTensor.toBf16(values[i]) << 16);
            case Q8_0 -> enc.get(i / 32 * 34 + 2 + i % 32) * Float.float16ToFloat(enc.getShort(i / 32 * 34));
            case Q4_0 -> {
              int packed = enc.get(i / 32 * 18 + 2 + (i % 32) % 16) & 0xFF;
              int q = i % 32 < 16 ? packed & 0xF : packed >>> 4;
              yield (q - 8) * Float.float16ToFloat(enc.getShort(i / 32 * 18));
            }
            default -> throw new AssertionError();
          };
          assertThat(read.get(i)).as("seed %d %s[%d]", seed, t, i).isEqualTo(expected);
        }
        assertThat(g.floatTensor("odd." + t + ".norm").toArray()).containsExactly(1, 2, 3);
      }
    }
  }

  @Test
  void aCustomAlignmentIsHonoured() {
    GgufWriter w = new GgufWriter().putUInt32("general.alignment", 64);
    w.addVector("a", GgmlType.F32, new float[] {1, 2, 3});
    w.addMatrix("b", GgmlType.Q8_0, 1, 32, new float[32]);
    Path file = dir.resolve("aligned.gguf");
    w.write(file);
    try (GgufFile g = GgufFile.open(file)) {
      assertThat(g.alignment()).isEqualTo(64);
      assertThat(g.dataOffset() % 64).isZero();
      assertThat(g.tensor("b").orElseThrow().offset() % 64).isZero();
      assertThat(g.floatTensor("a").toArray()).containsExactly(1, 2, 3);
    }
  }

  @Test
  void aFailedWriteLeavesNoFileBehind() throws IOException {
    Path file = dir.resolve("model.gguf");
    Files.writeString(file, "previous");
    GgufWriter w = new GgufWriter().addTensor("boom", GgmlType.F32, new long[] {4}, (r, dst) -> {
      throw new IllegalStateException("source failed");
    });
    assertThatThrownBy(() -> w.write(file)).hasMessageContaining("source failed");
    assertThat(Files.readString(file)).isEqualTo("previous");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("model.gguf");
    }
  }

  @Test
  void rejectsWhatGgufCannotHold() {
    GgufWriter w = new GgufWriter().putUInt32("k", 1);
    assertThatThrownBy(() -> w.putUInt32("k", 2)).hasMessageContaining("'k' is already set");
    assertThatThrownBy(() -> w.putUInt8("b", 256)).hasMessageContaining("outside 0 .. 255");
    assertThatThrownBy(() -> w.addMatrix("q", GgmlType.Q8_0, 2, 48, new float[96])).hasMessageContaining("not a whole number of Q8_0 blocks");
    assertThatThrownBy(() -> w.putArray("a", new GgufArray(GgufValueType.STRING, List.of(1)))).hasMessageContaining("array of STRING holds Integer");
  }
}
