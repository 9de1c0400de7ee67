package org.recycledattention.model.format.llama2c;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.format.FileAccess;
import org.recycledattention.model.format.LayerWeights;
import org.recycledattention.model.format.LoadedWeights;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.format.ModelFormat;
import org.recycledattention.model.format.ModelFiles;
import org.recycledattention.model.format.ModelReader;
import org.recycledattention.model.format.Weights;
import org.recycledattention.model.tensor.FloatTensor;
import org.recycledattention.model.tensor.GgmlType;

/**
 * Reads a llama2.c {@code .bin} checkpoint. Weights are mapped, never copied. The stored RoPE
 * tables ({@code freq_cis_real}, {@code freq_cis_imag}) are skipped, as {@code run.c} skips them.
 */
public final class Llama2cReader implements ModelReader {
  /** Bytes of the header. */
  public static final int HEADER_BYTES = 7 * 4;

  /** The seven header fields, as stored. */
  public record Header(int dim, int hiddenDim, int layers, int heads, int kvHeads, int vocabSize, int seqLen) {
    /** Whether the classifier is the token embedding ({@code vocab_size > 0}). */
    public boolean sharedClassifier() {
      return vocabSize > 0;
    }

    /**
     * The file size this header implies, or -1 when the header is not a plausible llama2.c header.
     */
    public long expectedFileSize() {
      if (dim < 1 || hiddenDim < 1 || layers < 1 || heads < 1 || kvHeads < 1 || vocabSize == 0 || vocabSize == Integer.MIN_VALUE || seqLen < 1
          || dim % heads != 0 || heads % kvHeads != 0 || (dim / heads) % 2 != 0) {
        return -1;
      }
      try {
        long d = dim;
        long v = Math.abs((long) vocabSize);
        long kvDim = d * kvHeads / heads;
        long headSize = d / heads;
        // exact: 2·d·kvDim alone can pass 2^63 (dim 2^31-2), and a wrapped sum must not match a small file
        long perLayer = Math.addExact(Math.addExact(Math.multiplyExact(2 * d, d + 1), Math.multiplyExact(2 * d, kvDim)), Math.multiplyExact(3 * d, (long) hiddenDim));
        // real + imag RoPE tables: 2 · seqLen · headSize/2
        long floats = Math.addExact(Math.addExact(v * d, Math.multiplyExact((long) layers, perLayer)), d + seqLen * headSize);
        if (!sharedClassifier()) {
          floats = Math.addExact(floats, v * d);
        }
        return Math.addExact(HEADER_BYTES, Math.multiplyExact(4, floats));
      } catch (ArithmeticException overflow) {
        return -1;
      }
    }
  }

  @Override
  public ModelFormat format() {
    return ModelFormat.LLAMA2C;
  }

  /**
   * A file whose first 28 bytes are a header that implies exactly its size.
   *
   * @throws ModelFormatException when the header is plausible but implies another size (truncated or corrupt)
   */
  @Override
  public boolean recognizes(Path path, ByteBuffer head, long size) {
    if (head.remaining() < HEADER_BYTES) {
      return false;
    }
    Header h = header(MemorySegment.ofBuffer(head));
    if (h != null && h.expectedFileSize() == size) {
      return true;
    }
    if (h != null && h.expectedFileSize() > 0) {
      throw new ModelFormatException(path, 0, "looks like a llama2.c checkpoint with header " + h + ", which implies " + h.expectedFileSize()
          + " bytes, but the file has " + size + "; the file is truncated or corrupt");
    }
    return false;
  }

  @Override
  public String expected() {
    return "a llama2.c .bin (a header that matches the file size)";
  }

  /** The header of {@code data}, or {@code null} when it is shorter than a header. */
  public static Header header(MemorySegment data) {
    if (data.byteSize() < HEADER_BYTES) {
      return null;
    }
    ValueLayout.OfInt i32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    int[] h = new int[7];
    for (int i = 0; i < 7; i++) {
      h[i] = data.get(i32, 4L * i);
    }
    return new Header(h[0], h[1], h[2], h[3], h[4], h[5], h[6]);
  }

  @Override
  public LoadedWeights read(Path path, FileAccess access) {
    ModelFiles files = new ModelFiles(access);
    try {
      return read(path, files.open(path), files, files);
    } catch (RuntimeException | Error e) {
      files.close();
      throw e;
    }
  }

  /** Reads a checkpoint held in {@code data}; {@code resources} is closed with the model. */
  public static LoadedWeights read(Path path, MemorySegment data, AutoCloseable resources) {
    return read(path, data, resources, ModelFiles.none());
  }

  private static LoadedWeights read(Path path, MemorySegment data, AutoCloseable resources, ModelFiles files) {
    Header h = header(data);
    if (h == null) {
      throw new ModelFormatException(path, 0, "the file has " + data.byteSize() + " bytes, fewer than a llama2.c header (" + HEADER_BYTES + ")");
    }
    long expected = h.expectedFileSize();
    if (expected < 0) {
      throw new ModelFormatException(path, 0, "not a llama2.c checkpoint: the header " + h + " is not a valid model shape");
    }
    if (expected != data.byteSize()) {
      throw new ModelFormatException(path, 0, "the llama2.c header " + h + " implies a file of " + expected + " bytes, but the file has "
          + data.byteSize() + "; the file is truncated or not a llama2.c checkpoint");
    }
    int dim = h.dim();
    int vocab = Math.abs(h.vocabSize());
    int headDim = dim / h.heads();
    int kvDim = h.kvHeads() * headDim;
    int hidden = h.hiddenDim();
    int layers = h.layers();
    Cursor c = new Cursor(path, data);
    FloatTensor embedding = c.next("token_embedding_table", vocab, dim);
    FloatTensor[] rmsAtt = c.perLayer("rms_att_weight", layers, 1, dim);
    FloatTensor[] wq = c.perLayer("wq", layers, dim, dim);
    FloatTensor[] wk = c.perLayer("wk", layers, kvDim, dim);
    FloatTensor[] wv = c.perLayer("wv", layers, kvDim, dim);
    FloatTensor[] wo = c.perLayer("wo", layers, dim, dim);
    FloatTensor[] rmsFfn = c.perLayer("rms_ffn_weight", layers, 1, dim);
    FloatTensor[] w1 = c.perLayer("w1", layers, hidden, dim);
    FloatTensor[] w2 = c.perLayer("w2", layers, dim, hidden);
    FloatTensor[] w3 = c.perLayer("w3", layers, hidden, dim);
    FloatTensor rmsFinal = c.next("rms_final_weight", 1, dim);
    c.skip((long) h.seqLen() * headDim * 4); // freq_cis_real and freq_cis_imag, seqLen × headDim/2 each
    FloatTensor classifier = h.sharedClassifier() ? embedding : c.next("wcls", vocab, dim);
    List<LayerWeights> list = new ArrayList<>(layers);
    for (int l = 0; l < layers; l++) {
      list.add(new LayerWeights(rmsAtt[l], wq[l], wk[l], wv[l], null, null, null, wo[l], rmsFfn[l], w1[l], w2[l], w3[l]));
    }
    ModelConfig config;
    try {
      config = new ModelConfig("llama", dim, hidden, layers, h.heads(), h.kvHeads(), headDim, vocab, h.seqLen(), 1e-5f, 10000f, true, null, false,
          h.sharedClassifier());
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(path, 0, "the llama2.c header " + h + " is not a model this engine runs: " + e.getMessage(), e);
    }
    Weights weights = new Weights(embedding, list, rmsFinal, classifier);
    String description = "llama2.c checkpoint, " + layers + " layers, dim " + dim + ", vocab " + vocab + ", F32"
        + (h.sharedClassifier() ? "" : ", separate classifier");
    return new LoadedWeights(ModelFormat.LLAMA2C, path, config, weights, Map.of(), description, resources, files);
  }

  /** Hands out consecutive f32 tensors. */
  private static final class Cursor {
    private final Path path;
    private final MemorySegment data;
    private long pos = HEADER_BYTES;

    Cursor(Path path, MemorySegment data) {
      this.path = path;
      this.data = data;
    }

    FloatTensor next(String name, int rows, int cols) {
      long bytes = 4L * rows * cols;
      FloatTensor t = FloatTensor.of(path, pos, name, GgmlType.F32, data.asSlice(pos, Math.min(bytes, data.byteSize() - pos)), rows, cols);
      pos += bytes;
      return t;
    }

    FloatTensor[] perLayer(String name, int layers, int rows, int cols) {
      FloatTensor[] out = new FloatTensor[layers];
      for (int l = 0; l < layers; l++) {
        out[l] = next(name + "[" + l + "]", rows, cols);
      }
      return out;
    }

    void skip(long bytes) {
      pos += bytes;
    }
  }
}
