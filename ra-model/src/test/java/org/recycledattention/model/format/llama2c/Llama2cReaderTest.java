package org.recycledattention.model.format.llama2c;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.format.LoadedWeights;
import org.recycledattention.model.format.ModelFormat;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.testing.Fixtures;
import org.recycledattention.model.testing.Loaders;

class Llama2cReaderTest {
  @TempDir
  Path tmp;

  /** A checkpoint whose every weight is its own float index, so placement is checkable. */
  private Path checkpoint(int dim, int hidden, int layers, int heads, int kvHeads, int vocab, int seq, long floatsDelta) throws IOException {
    Llama2cReader.Header h = new Llama2cReader.Header(dim, hidden, layers, heads, kvHeads, vocab, seq);
    long size = h.expectedFileSize() + 4 * floatsDelta;
    ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : new int[] {dim, hidden, layers, heads, kvHeads, vocab, seq}) {
      b.putInt(v);
    }
    for (int i = 0; b.remaining() >= 4; i++) {
      b.putFloat(i);
    }
    Path p = tmp.resolve("model.bin");
    Files.write(p, b.array());
    return p;
  }

  @Test
  void mapsEveryTensorInLlama2cOrderIncludingASeparateClassifier() throws IOException {
    int dim = 8;
    int hidden = 12;
    int vocab = 10;
    Path p = checkpoint(dim, hidden, 2, 2, 1, -vocab, 16, 0);
    assertThat(Loaders.formats().detect(p)).isEqualTo(ModelFormat.LLAMA2C);
    LoadedWeights w = new Llama2cReader().read(p);
    try {
      assertThat(w.config().tiedOutput()).isFalse();
      assertThat(w.weights().tokenEmbedding().get(0)).isEqualTo(0f);
      // token embedding (80), rms_att (16), then wq of layer 0
      assertThat(w.weights().layers().get(0).wq().get(0)).isEqualTo(96f);
      assertThat(w.weights().layers().get(1).attnNorm().get(0)).isEqualTo(88f);
      int kvDim = 4;
      long beforeFinal = 80 + 2L * (dim + dim * dim + 2 * dim * kvDim + dim * dim + dim + 3L * dim * hidden);
      assertThat(w.weights().outputNorm().get(0)).isEqualTo((float) beforeFinal);
      // the classifier follows rms_final (8) and the skipped RoPE tables (16 x 4)
      assertThat(w.weights().output().get(0)).isEqualTo((float) (beforeFinal + dim + 16 * 4));
    } finally {
      try {
        w.resources().close();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void aHeaderThatDoesNotMatchTheFileSizeIsRejected() throws IOException {
    Path p = checkpoint(8, 12, 2, 2, 1, 10, 16, -3);
    assertThatThrownBy(() -> new Llama2cReader().read(p)).isInstanceOf(ModelFormatException.class).hasMessageContaining("truncated");
    assertThatThrownBy(() -> Loaders.formats().detect(p)).isInstanceOf(ModelFormatException.class).hasMessageContaining("llama2.c");
    Path garbage = tmp.resolve("garbage.bin");
    Files.write(garbage, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30});
    assertThatThrownBy(() -> Loaders.formats().load(garbage)).isInstanceOf(ModelFormatException.class).hasMessageContaining("unknown model format");
    Llama2cReader.Header overflow = new Llama2cReader.Header(1 << 30, 1 << 30, 1 << 30, 2, 1, 1 << 30, 1 << 30);
    assertThat(overflow.expectedFileSize()).isEqualTo(-1);
  }

  @Test
  void detectsTheFixtureFormats() {
    Path dir = Fixtures.stories();
    assertThat(Loaders.formats().detect(dir.resolve("stories260K.bin"))).isEqualTo(ModelFormat.LLAMA2C);
    assertThat(Loaders.formats().detect(dir.resolve("stories260K-f16.gguf"))).isEqualTo(ModelFormat.GGUF);
    assertThat(Loaders.formats().detect(dir)).isEqualTo(ModelFormat.SAFETENSORS);
    assertThatThrownBy(() -> Loaders.formats().detect(dir.resolve("tok512-ids.bin"))).isInstanceOf(ModelFormatException.class);
    try (LlamaModel m = Loaders.formats().load(dir.resolve("stories260K.bin"))) {
      assertThat(m.description()).contains("llama2.c", "5 layers");
      assertThat(m.tokenizer()).isEmpty();
    }
  }
}
