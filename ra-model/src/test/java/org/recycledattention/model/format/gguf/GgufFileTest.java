package org.recycledattention.model.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.tensor.FloatTensor;
import org.recycledattention.model.testing.Fixtures;

class GgufFileTest {
  private static final Path NAME = Path.of("hostile.gguf");

  /** A little-endian GGUF byte builder. */
  static final class Bytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Bytes u32(long v) {
      ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v);
      out.writeBytes(b.array());
      return this;
    }

    Bytes u64(long v) {
      ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
      out.writeBytes(b.array());
      return this;
    }

    Bytes f32(float v) {
      return u32(Float.floatToIntBits(v));
    }

    Bytes str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      u64(b.length);
      out.writeBytes(b);
      return this;
    }

    Bytes header(long tensors, long kvs) {
      return u32(0x46554747).u32(3).u64(tensors).u64(kvs);
    }

    Bytes pad(int alignment) {
      while (out.size() % alignment != 0) {
        out.write(0);
      }
      return this;
    }

    Bytes zeros(int n) {
      out.writeBytes(new byte[n]);
      return this;
    }

    int size() {
      return out.size();
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  private static GgufFile parse(byte[] b) {
    return GgufFile.parse(NAME, MemorySegment.ofArray(b), null);
  }

  /** One 2x4 F32 tensor, with string, array and nested-array metadata. */
  private static byte[] valid() {
    Bytes b = new Bytes().header(1, 4);
    b.str("general.architecture").u32(8).str("llama");
    b.str("a.u32").u32(4).u32(0xFFFFFFFFL);
    b.str("a.floats").u32(9).u32(6).u64(2).f32(1.5f).f32(-2f);
    b.str("a.nested").u32(9).u32(9).u64(2).u32(8).u64(1).str("x").u32(5).u64(2).u32(7).u32(8);
    b.str("w").u32(2).u64(4).u64(2).u32(0).u64(0);
    b.pad(32);
    for (int i = 0; i < 8; i++) {
      b.f32(i);
    }
    return b.bytes();
  }

  @Test
  void readsMetadataOfEveryShapeAndTensors() {
    try (GgufFile f = parse(valid())) {
      assertThat(f.version()).isEqualTo(3);
      assertThat(f.metadata()).containsKeys("general.architecture", "a.u32", "a.floats", "a.nested");
      assertThat(f.metadata().get("general.architecture")).isEqualTo("llama");
      assertThat(f.metadata().get("a.u32")).isEqualTo(0xFFFFFFFFL);
      assertThat((float[]) f.metadata().get("a.floats")).containsExactly(1.5f, -2f);
      List<?> nested = (List<?>) f.metadata().get("a.nested");
      assertThat(nested.get(0)).isEqualTo(List.of("x"));
      assertThat((int[]) nested.get(1)).containsExactly(7, 8);
      assertThat(f.dataOffset() % 32).isZero();
      FloatTensor w = f.floatTensor("w");
      assertThat(w.rows()).isEqualTo(2);
      assertThat(w.cols()).isEqualTo(4);
      assertThat(w.toArray()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    }
  }

  @Test
  void readsTheFixtureWithItsTokenizerMetadata() {
    try (GgufFile f = GgufFile.open(Fixtures.stories().resolve("stories260K-q8_0.gguf"))) {
      assertThat(f.string("general.architecture")).contains("llama");
      assertThat(f.intValue("llama.context_length", -1)).isEqualTo(512);
      assertThat((List<?>) f.metadata().get("tokenizer.ggml.tokens")).hasSize(512);
      assertThat((float[]) f.metadata().get("tokenizer.ggml.scores")).hasSize(512);
      assertThat(f.tensors()).containsKeys("token_embd.weight", "output.weight", "blk.4.ffn_down.weight");
      assertThat(f.tensors().get("blk.0.ffn_down.weight").dims()).containsExactly(172, 64);
    }
  }

  @Test
  void hostileCountsAndLengthsAreFormatErrorsWithOffsets() {
    assertRejected(new Bytes().header(1L << 60, 0).bytes(), 8, "tensors");
    assertRejected(new Bytes().header(0, 1L << 60).bytes(), 16, "metadata entries");
    assertRejected(new Bytes().header(0, 1).u64(1L << 62).zeros(64).bytes(), 24, "string claims");
    assertRejected(new Bytes().header(0, 1).str("k").u32(9).u32(6).u64(1L << 61).zeros(64).bytes(), 41, "array of FLOAT32 claims");
    assertRejected(new Bytes().header(0, 1).str("k").u32(99).zeros(64).bytes(), 33, "unknown metadata value type 99");
    assertRejected(new Bytes().u32(0x12345678).u32(3).bytes(), 0, "not a GGUF file");
    assertRejected(new Bytes().u32(0x46554747).u32(1).u64(0).u64(0).bytes(), 4, "version 1");
    // a tensor whose data runs past the end of the file
    Bytes past = new Bytes().header(1, 0);
    past.str("w").u32(2).u64(1024).u64(1024).u32(0).u64(0).pad(32);
    assertRejected(past.bytes(), 24, "ends past the end");
    // dimensions whose product overflows
    Bytes huge = new Bytes().header(1, 0);
    huge.str("w").u32(2).u64(1L << 40).u64(1L << 40).u32(0).u64(0).zeros(64);
    assertRejected(huge.bytes(), 45, "product fits in 63 bits");
  }

  private static void assertRejected(byte[] bytes, long offset, String message) {
    assertThatThrownBy(() -> parse(bytes)).isInstanceOfSatisfying(ModelFormatException.class, e -> {
      assertThat(e.offset()).as(e.getMessage()).isEqualTo(offset);
      assertThat(e.getMessage()).contains(message).contains("hostile.gguf");
    });
  }

  @Test
  void everyTruncationAndRandomCorruptionIsAFormatErrorOrAValidFile() throws Exception {
    byte[] fixture = Files.readAllBytes(Fixtures.stories().resolve("stories260K-q4_0.gguf"));
    long seed = System.nanoTime();
    Random rnd = new Random(seed);
    int headerEnd;
    try (GgufFile f = parse(fixture)) {
      headerEnd = (int) f.dataOffset();
    }
    for (int trial = 0; trial < 300; trial++) {
      byte[] b = trial < 150 ? java.util.Arrays.copyOf(fixture, rnd.nextInt(headerEnd + 64)) : fixture.clone();
      if (trial >= 150) {
        for (int k = 0; k < 1 + rnd.nextInt(8); k++) {
          b[rnd.nextInt(headerEnd)] = (byte) rnd.nextInt(256);
        }
      }
      try (GgufFile f = parse(b)) {
        for (String name : f.tensors().keySet()) {
          try {
            f.floatTensor(name);
          } catch (ModelFormatException expected) {
            // an unsupported type or an odd shape after corruption
          }
        }
      } catch (ModelFormatException expected) {
        assertThat(expected.getMessage()).isNotBlank();
      } catch (Throwable t) {
        fail("seed " + seed + ", trial " + trial + ": expected a ModelFormatException, got " + t, t);
      }
    }
  }

  @Test
  void unsupportedTensorTypeIsReportedWhenTheTensorIsRead() {
    Bytes b = new Bytes().header(1, 0);
    b.str("blk.0.attn_q.weight").u32(2).u64(256).u64(1).u32(17).u64(0).pad(32);
    for (int i = 0; i < 74; i++) {
      b.out.write(0);
    }
    try (GgufFile f = parse(b.bytes())) {
      assertThatThrownBy(() -> f.floatTensor("blk.0.attn_q.weight")).isInstanceOf(ModelFormatException.class)
          .hasMessageContaining("blk.0.attn_q.weight").hasMessageContaining("IQ2_XS").hasMessageContaining("Q4_K, Q5_K, Q6_K");
    }
  }
}
