package org.recycledattention.eval.synthetic;

import com.sun.management.OperatingSystemMXBean;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.model.format.LayerWeights;
import org.recycledattention.model.format.LoadedWeights;
import org.recycledattention.model.format.ModelConfig;
import org.recycledattention.model.format.ModelFormat;
import org.recycledattention.model.format.Weights;
import org.recycledattention.model.format.gguf.writer.GgmlQuantizer;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.tensor.ArrayTensor;
import org.recycledattention.model.tensor.FloatTensor;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.model.tokenizer.SentencePieceTokenizer;

/**
 * Builds synthetic models in memory: random weights (normal, std 1/sqrt(fan-in), seeded per tensor
 * so a tensor does not depend on the others), quantized to the spec's dtype with ggml's reference
 * quantizers, and a dummy SentencePiece vocabulary ({@code <unk> <s> </s>}, 256 byte pieces, then
 * {@code ▁tNNN}) so that the model can be exported as a GGUF llama.cpp accepts.
 */
public final class SyntheticModels {
  private SyntheticModels() {}

  /**
   * Checks that {@code spec} can be built here, before any work: an f32 tensor is one Java array,
   * so none may exceed 2^31 - 9 elements, and the weights must fit the memory they go to (the heap
   * for f32, native memory for the rest).
   *
   * @throws ConfigException (exit 2) naming the sizes and what to change
   */
  public static void check(SyntheticSpec spec) {
    long dim = spec.dim();
    long[][] matrices = {{spec.vocab(), dim}, {spec.ffn(), dim}, {(long) spec.heads() * spec.headDim(), dim}, {(long) spec.kvHeads() * spec.headDim(), dim}};
    String[] names = {"vocab x dim", "ffn x dim", "heads x head-dim x dim", "kv-heads x head-dim x dim"};
    if (spec.dtype().equals("f32")) {
      for (int i = 0; i < matrices.length; i++) {
        long elements = matrices[i][0] * matrices[i][1];
        if (elements > Integer.MAX_VALUE - 8) {
          throw new ConfigException("synthetic model: " + names[i] + " is " + elements + " elements, more than one f32 tensor can hold ("
              + (Integer.MAX_VALUE - 8) + "); lower those sizes or use dtype=q8_0");
        }
      }
    }
    double bytesPerWeight = switch (spec.dtype()) {
      case "f32" -> 4;
      case "f16" -> 2;
      case "q8_0" -> 34 / 32.0;
      default -> 18 / 32.0;
    };
    double bytes = spec.parameters() * bytesPerWeight;
    long available = spec.dtype().equals("f32") ? Runtime.getRuntime().maxMemory() : physicalMemory();
    if (bytes > available) {
      throw new ConfigException(String.format(Locale.ROOT, "synthetic model: its %s weights need about %.1f GiB, more than the %.1f GiB of %s; lower the"
          + " sizes%s", spec.dtype(), bytes / (1L << 30), available / (double) (1L << 30), spec.dtype().equals("f32") ? "the JVM heap" : "memory",
          spec.dtype().equals("f32") ? ", use dtype=q8_0, or give the JVM more heap (RA_JAVA_OPTS=-Xmx32g)" : ""));
    }
  }

  private static long physicalMemory() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return Long.MAX_VALUE;
  }

  /** The model for {@code spec}; the caller closes it (which frees the quantized weights). */
  public static LlamaModel build(SyntheticSpec spec) {
    check(spec);
    ModelConfig config = new ModelConfig("llama", spec.dim(), spec.ffn(), spec.layers(), spec.heads(), spec.kvHeads(), spec.headDim(), spec.vocab(),
        spec.context(), 1e-5f, 10000f, true, null, false, false);
    GgmlType type = switch (spec.dtype()) {
      case "f32" -> GgmlType.F32;
      case "f16" -> GgmlType.F16;
      case "q8_0" -> GgmlType.Q8_0;
      case "q4_0" -> GgmlType.Q4_0;
      default -> throw new IllegalArgumentException(spec.dtype());
    };
    Arena arena = Arena.ofShared();
    try {
      Factory f = new Factory(spec.seed(), type, arena);
      int q = spec.heads() * spec.headDim();
      int kv = spec.kvHeads() * spec.headDim();
      List<LayerWeights> layers = new ArrayList<>();
      for (int l = 0; l < spec.layers(); l++) {
        String b = "blk." + l + ".";
        layers.add(new LayerWeights(f.norm(b + "attn_norm.weight", spec.dim()), f.matrix(b + "attn_q.weight", q, spec.dim()),
            f.matrix(b + "attn_k.weight", kv, spec.dim()), f.matrix(b + "attn_v.weight", kv, spec.dim()), null, null, null,
            f.matrix(b + "attn_output.weight", spec.dim(), q), f.norm(b + "ffn_norm.weight", spec.dim()), f.matrix(b + "ffn_gate.weight", spec.ffn(), spec.dim()),
            f.matrix(b + "ffn_down.weight", spec.dim(), spec.ffn()), f.matrix(b + "ffn_up.weight", spec.ffn(), spec.dim())));
      }
      Weights weights = new Weights(f.matrix("token_embd.weight", spec.vocab(), spec.dim()), layers, f.norm("output_norm.weight", spec.dim()),
          f.matrix("output.weight", spec.vocab(), spec.dim()));
      String description = String.format(Locale.ROOT, "synthetic llama, %d layers, dim %d, %d/%d heads x %d, ffn %d, vocab %d, %s, %.1fM parameters",
          spec.layers(), spec.dim(), spec.heads(), spec.kvHeads(), spec.headDim(), spec.ffn(), spec.vocab(), spec.dtype(), spec.parameters() / 1e6);
      LoadedWeights loaded = new LoadedWeights(ModelFormat.GGUF, Path.of(spec.text().replace(':', '_')), config, weights, Map.of("synthetic", spec.text()),
          description, arena::close);
      return new LlamaModel(loaded, spec.vocab() >= 259 ? SentencePieceTokenizer.placeholder(spec.vocab()) : null);
    } catch (RuntimeException | Error e) {
      arena.close();
      throw e;
    }
  }

  /** Makes tensors; each tensor's values come from its own stream, seeded by (seed, name). */
  private record Factory(long seed, GgmlType type, Arena arena) {
    FloatTensor norm(String name, int n) {
      float[] v = new float[n];
      SplittableRandom r = random(name);
      for (int i = 0; i < n; i++) {
        v[i] = (float) (1 + 0.1 * r.nextDouble(-1, 1));
      }
      return ArrayTensor.vector(name, v);
    }

    FloatTensor matrix(String name, int rows, int cols) {
      SplittableRandom r = random(name);
      double std = 1 / Math.sqrt(cols);
      float[] row = new float[cols];
      if (type == GgmlType.F32) {
        float[] all = new float[Math.multiplyExact(rows, cols)];
        for (int i = 0; i < all.length; i++) {
          all[i] = (float) (gaussian(r) * std);
        }
        return new ArrayTensor(name, all, rows, cols);
      }
      GgmlType t = cols % type.blockSize() == 0 ? type : GgmlType.F16;
      long rowBytes = t.bytes(cols);
      MemorySegment data = arena.allocate(rowBytes * rows, 32);
      ByteBuffer buffer = data.asByteBuffer();
      for (int i = 0; i < rows; i++) {
        for (int c = 0; c < cols; c++) {
          row[c] = (float) (gaussian(r) * std);
        }
        GgmlQuantizer.encode(t, row, 0, cols, buffer);
      }
      return FloatTensor.of(Path.of("synthetic"), 0, name, t, data, rows, cols);
    }

    private SplittableRandom random(String name) {
      return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode());
    }

    private static double gaussian(SplittableRandom r) {
      // Box-Muller; SplittableRandom has no nextGaussian before Java 17's RandomGenerator default, which is slow
      double u = r.nextDouble();
      double v = r.nextDouble();
      return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }
  }
}
