import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.recycledattention.model.tensor.GgmlType;
import org.recycledattention.train.ProbeExporter;
import org.recycledattention.train.ProbeGeometry;
import org.recycledattention.train.ProbeReader;
import org.recycledattention.train.ProbeWeights;
import org.recycledattention.train.ProbeWeights.Tensor;

/**
 * {@code Widen IN.gguf OUT.gguf [SIGMA]}: doubles every attention head's dimension of a probe model
 * written by {@code ra train-probe}, keeping what it computes (README, Results, point 16). Old RoPE pair i (elements 2i, 2i+1,
 * frequency base^(-2i/d)) becomes new pair 2i (elements 4i, 4i+1, frequency base^(-4i/2d), the same);
 * the new pairs 2i+1 (frequencies between) get small random query rows and zero key rows, so no score
 * changes; the old query rows are scaled by sqrt(2) for the 1/sqrt(head dim) scaling; values gain
 * random rows whose attn_output columns are zero. The new rows then learn in continued training
 * ({@code ra train-probe --init OUT.gguf}).
 */
public class Widen {
  public static void main(String[] a) {
    if (a.length < 2 || a.length > 3) {
      System.err.println("usage: Widen IN.gguf OUT.gguf [SIGMA]: a probe model written by ra train-probe, where to write the"
          + " widened one, and the standard deviation of the new random rows (default 0.02)");
      System.exit(2);
    }
    ProbeWeights w = ProbeReader.read(Path.of(a[0]));
    ProbeGeometry g = w.geometry();
    int d = g.headDim(), d2 = 2 * d;
    ProbeGeometry g2 = new ProbeGeometry(g.layers(), g.dim(), g.heads(), g.kvHeads(), d2, g.ffn(), g.context(), g.ropeTheta(), g.normEps());
    Random r = new Random(7);
    float sigma = a.length > 2 ? Float.parseFloat(a[2]) : 0.02f;
    Map<String, Tensor> t = new LinkedHashMap<>(w.tensors());
    for (int l = 0; l < g.layers(); l++) {
      String b = "blk." + l + ".";
      t.put(b + "attn_q.weight", widenRows(t.get(b + "attn_q.weight"), g.heads(), d, (float) Math.sqrt(2), sigma, r));
      t.put(b + "attn_k.weight", widenRows(t.get(b + "attn_k.weight"), g.kvHeads(), d, 1f, 0f, r));
      Tensor v = t.get(b + "attn_v.weight");
      float[] v2 = new float[g.kvHeads() * d2 * v.cols()];
      for (int h = 0; h < g.kvHeads(); h++) {
        for (int e = 0; e < d2; e++) {
          for (int c = 0; c < v.cols(); c++) {
            v2[(h * d2 + e) * v.cols() + c] = e < d ? v.data()[(h * d + e) * v.cols() + c] : (float) (r.nextGaussian() * sigma);
          }
        }
      }
      t.put(b + "attn_v.weight", new Tensor(g.kvHeads() * d2, v.cols(), v2));
      Tensor o = t.get(b + "attn_output.weight");
      float[] o2 = new float[o.rows() * g.heads() * d2];
      for (int row = 0; row < o.rows(); row++) {
        for (int h = 0; h < g.heads(); h++) {
          for (int e = 0; e < d; e++) {
            o2[row * g.heads() * d2 + h * d2 + e] = o.data()[row * g.heads() * d + h * d + e];
          }
        }
      }
      t.put(b + "attn_output.weight", new Tensor(o.rows(), g.heads() * d2, o2));
    }
    ProbeExporter.write(new ProbeWeights(g2, w.vocabulary(), t), Path.of(a[1]), GgmlType.F32);
    System.out.println("wrote " + a[1] + ": head dim " + d + " -> " + d2);
  }

  static Tensor widenRows(Tensor x, int heads, int d, float scale, float sigma, Random r) {
    int d2 = 2 * d, cols = x.cols();
    float[] y = new float[heads * d2 * cols];
    for (int h = 0; h < heads; h++) {
      for (int p = 0; p < d / 2; p++) {
        for (int j = 0; j < 2; j++) {
          for (int c = 0; c < cols; c++) {
            y[(h * d2 + 4 * p + j) * cols + c] = scale * x.data()[(h * d + 2 * p + j) * cols + c];
            y[(h * d2 + 4 * p + 2 + j) * cols + c] = (float) (r.nextGaussian() * sigma);
          }
        }
      }
    }
    return new Tensor(heads * d2, cols, y);
  }
}
