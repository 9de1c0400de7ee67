package org.recycledattention.model.tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.recycledattention.model.format.FileAccess;
import org.recycledattention.model.format.gguf.GgufFile;

/**
 * Not a unit test: the weight matrix-vector products of one decode token of a llama-family GGUF
 * file, as the forward pass runs them (per layer: q, k and v in one parallel region, the attention
 * output, gate and up in one region, down; then the output matrix, or the tied embedding), on
 * {@code threads} threads, with nothing else of the token (no attention, norms or activations).
 * Prints milliseconds per token and the weights' GB/s, a wall-clock figure: run it on a quiet
 * machine, alternating the variants to compare.
 *
 * <pre>java ... ModelMatVecBench FILE [mapped|read] [threads] [rounds]</pre>
 *
 * <p>{@code read} opens the file as {@code --no-mmap} does. On the 2-core VM of the README
 * (2026-12-06), {@code synthetic:llama-3.2-1b} as Q8_0 took 40–45 ms per token read and 50–60 ms
 * mapped with the f32-lane Q8_0 kernel, alternating, where llama.cpp's whole token took 33.5 ms from
 * the mapped file; the integer Q8_0 kernel takes about 30 ms mapped.
 */
public final class ModelMatVecBench {
  private ModelMatVecBench() {}

  public static void main(String[] args) {
    Path file = Path.of(args[0]);
    FileAccess access = args.length > 1 && args[1].equals("read") ? FileAccess.READ : FileAccess.MAPPED;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 8;
    try (GgufFile f = GgufFile.open(file, access); Parallel parallel = new Parallel(threads)) {
      String arch = f.string("general.architecture").orElseThrow();
      int layers = f.intValue(arch + ".block_count", 0);
      List<FloatTensor[]> regions = new ArrayList<>();
      for (int l = 0; l < layers; l++) {
        String p = "blk." + l + ".";
        regions.add(tensors(f, p + "attn_q.weight", p + "attn_k.weight", p + "attn_v.weight"));
        regions.add(tensors(f, p + "attn_output.weight"));
        regions.add(tensors(f, p + "ffn_gate.weight", p + "ffn_up.weight"));
        regions.add(tensors(f, p + "ffn_down.weight"));
      }
      regions.add(tensors(f, f.tensor("output.weight").isPresent() ? "output.weight" : "token_embd.weight"));
      long bytes = 0;
      int widest = 0;
      for (FloatTensor[] region : regions) {
        for (FloatTensor t : region) {
          bytes += t.type().bytes((long) t.rows() * t.cols());
          widest = Math.max(widest, Math.max(t.rows(), t.cols()));
        }
      }
      Random random = new Random(1);
      float[] x = new float[widest];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) random.nextGaussian();
      }
      float[][][] outs = new float[regions.size()][][];
      Activations[] inputs = new Activations[regions.size()];
      for (int r = 0; r < regions.size(); r++) {
        FloatTensor[] region = regions.get(r);
        outs[r] = new float[region.length][];
        for (int i = 0; i < region.length; i++) {
          outs[r][i] = new float[region[i].rows()];
        }
        inputs[r] = new Activations().set(x, 1, region[0].cols());
      }
      System.out.printf("%s, %s, %d threads: %d regions, %.2f GB of weights per token%n", file.getFileName(), access, threads, regions.size(), bytes / 1e9);
      for (int round = 0; round < rounds; round++) {
        int tokens = 5;
        long t0 = System.nanoTime();
        for (int token = 0; token < tokens; token++) {
          for (int r = 0; r < regions.size(); r++) {
            MatMul.matvecs(regions.get(r), inputs[r], outs[r], parallel);
          }
        }
        double ms = (System.nanoTime() - t0) / 1e6 / tokens;
        System.out.printf("%.2f ms per token, %.1f GB/s of weights%n", ms, bytes / ms / 1e6);
      }
    }
  }

  private static FloatTensor[] tensors(GgufFile f, String... names) {
    FloatTensor[] t = new FloatTensor[names.length];
    for (int i = 0; i < names.length; i++) {
      t[i] = f.floatTensor(names[i]);
    }
    return t;
  }
}
