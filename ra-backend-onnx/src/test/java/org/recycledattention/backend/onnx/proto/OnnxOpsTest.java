package org.recycledattention.backend.onnx.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.recycledattention.backend.onnx.proto.DataType.BOOL;
import static org.recycledattention.backend.onnx.proto.DataType.FLOAT;
import static org.recycledattention.backend.onnx.proto.DataType.INT64;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.recycledattention.backend.onnx.proto.OrtGraphRunner.Value;

/**
 * Every operator the backend's graphs use, written by {@link GraphBuilder}, loaded into ONNX
 * Runtime and checked against a result computed here. One small graph per operator.
 */
class OnnxOpsTest {
  private static final long SEED = 20261129L;

  private static List<Value> run(GraphBuilder g, Map<String, Value> inputs) throws Exception {
    try (OrtGraphRunner r = OrtGraphRunner.of(g)) {
      return r.run(inputs);
    }
  }

  private static float[] random(Random rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    return a;
  }

  private static void assertClose(float[] actual, float[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-5f));
    }
  }

  @Test
  void matMulWithSymbolicDimensions() throws Exception {
    Random rnd = new Random(SEED);
    GraphBuilder g = new GraphBuilder("matmul");
    String a = g.input("a", FLOAT, Dim.of("m"), Dim.of(3));
    String b = g.input("b", FLOAT, Dim.of(3), Dim.of("n"));
    g.opTo("y", "MatMul", List.of(a, b));
    g.output("y", FLOAT, Dim.of("m"), Dim.of("n"));
    try (OrtGraphRunner r = OrtGraphRunner.of(g)) {
      for (int[] mn : new int[][] {{2, 4}, {5, 1}}) {
        int m = mn[0];
        int n = mn[1];
        float[] x = random(rnd, m * 3);
        float[] w = random(rnd, 3 * n);
        float[] expected = new float[m * n];
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            for (int k = 0; k < 3; k++) {
              expected[i * n + j] += x[i * 3 + k] * w[k * n + j];
            }
          }
        }
        Value y = r.run(Map.of("a", Value.of(x, m, 3), "b", Value.of(w, 3, n))).getFirst();
        assertThat(y.shape()).containsExactly(m, n);
        assertClose(y.floats(), expected);
      }
    }
  }

  @Test
  void gemmWithTransposedBAlphaAndBroadcastC() throws Exception {
    Random rnd = new Random(SEED);
    int m = 2;
    int n = 3;
    int k = 4;
    GraphBuilder g = new GraphBuilder("gemm");
    String a = g.input("a", FLOAT, Dim.of(m), Dim.of(k));
    String b = g.input("b", FLOAT, Dim.of(n), Dim.of(k));
    String c = g.input("c", FLOAT, Dim.of(1), Dim.of(n));
    g.opTo("y", "Gemm", List.of(a, b, c), Attribute.of("alpha", 0.5f), Attribute.of("transB", 1L));
    g.output("y", FLOAT, Dim.of(m), Dim.of(n));
    float[] x = random(rnd, m * k);
    float[] w = random(rnd, n * k);
    float[] bias = random(rnd, n);
    float[] expected = new float[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float s = 0;
        for (int t = 0; t < k; t++) {
          s += x[i * k + t] * w[j * k + t];
        }
        expected[i * n + j] = 0.5f * s + bias[j];
      }
    }
    Value y = run(g, Map.of("a", Value.of(x, m, k), "b", Value.of(w, n, k), "c", Value.of(bias, 1, n))).getFirst();
    assertClose(y.floats(), expected);
  }

  @Test
  void softmaxOverTheLastAxis() throws Exception {
    GraphBuilder g = new GraphBuilder("softmax");
    String x = g.input("x", FLOAT, Dim.of(2), Dim.of(3));
    g.opTo("y", "Softmax", List.of(x), Attribute.of("axis", -1L));
    g.output("y", FLOAT, Dim.of(2), Dim.of(3));
    float[] in = {1, 2, 3, 0, 0, Float.NEGATIVE_INFINITY};
    float[] expected = new float[6];
    for (int row = 0; row < 2; row++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < 3; j++) {
        max = Math.max(max, in[row * 3 + j]);
      }
      double sum = 0;
      for (int j = 0; j < 3; j++) {
        sum += Math.exp(in[row * 3 + j] - max);
      }
      for (int j = 0; j < 3; j++) {
        expected[row * 3 + j] = (float) (Math.exp(in[row * 3 + j] - max) / sum);
      }
    }
    assertClose(run(g, Map.of("x", Value.of(in, 2, 3))).getFirst().floats(), expected);
  }

  @Test
  void transposeSwapsAxes() throws Exception {
    GraphBuilder g = new GraphBuilder("transpose");
    String x = g.input("x", FLOAT, Dim.of(2), Dim.of(3));
    g.opTo("y", "Transpose", List.of(x), Attribute.ofInts("perm", 1, 0));
    g.output("y", FLOAT, Dim.of(3), Dim.of(2));
    float[] in = {1, 2, 3, 4, 5, 6};
    Value y = run(g, Map.of("x", Value.of(in, 2, 3))).getFirst();
    assertThat(y.shape()).containsExactly(3, 2);
    float[] expected = new float[6];
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        expected[j * 2 + i] = in[i * 3 + j];
      }
    }
    assertClose(y.floats(), expected);
  }

  @Test
  void reduceMaxMeanAndSum() throws Exception {
    Random rnd = new Random(SEED);
    GraphBuilder g = new GraphBuilder("reduce");
    String x = g.input("x", FLOAT, Dim.of(3), Dim.of("n"));
    g.opTo("max", "ReduceMax", List.of(x), Attribute.ofInts("axes", 0), Attribute.of("keepdims", 0L));
    g.opTo("mean", "ReduceMean", List.of(x), Attribute.ofInts("axes", 0), Attribute.of("keepdims", 1L));
    g.opTo("sum", "ReduceSum", List.of(x, g.constLongs(0)), Attribute.of("keepdims", 0L));
    g.output("max", FLOAT, Dim.of("n"));
    g.output("mean", FLOAT, Dim.of(1), Dim.of("n"));
    g.output("sum", FLOAT, Dim.of("n"));
    int n = 5;
    float[] in = random(rnd, 3 * n);
    float[] max = new float[n];
    float[] mean = new float[n];
    float[] sum = new float[n];
    for (int j = 0; j < n; j++) {
      max[j] = Math.max(in[j], Math.max(in[n + j], in[2 * n + j]));
      sum[j] = in[j] + in[n + j] + in[2 * n + j];
      mean[j] = sum[j] / 3;
    }
    List<Value> out = run(g, Map.of("x", Value.of(in, 3, n)));
    assertClose(out.get(0).floats(), max);
    assertThat(out.get(1).shape()).containsExactly(1, n);
    assertClose(out.get(1).floats(), mean);
    assertClose(out.get(2).floats(), sum);
  }

  @Test
  void gatherWithScalarAndNegativeIndex() throws Exception {
    GraphBuilder g = new GraphBuilder("gather");
    String x = g.input("x", FLOAT, Dim.of(3), Dim.of(2));
    g.opTo("first", "Gather", List.of(x, g.scalarLong(0)), Attribute.of("axis", 0L));
    g.opTo("last", "Gather", List.of(x, g.scalarLong(-1)), Attribute.of("axis", 0L));
    g.opTo("col", "Gather", List.of(x, g.constLongs(1)), Attribute.of("axis", 1L));
    g.output("first", FLOAT, Dim.of(2));
    g.output("last", FLOAT, Dim.of(2));
    g.output("col", FLOAT, Dim.of(3), Dim.of(1));
    float[] in = {10, 11, 20, 21, 30, 31};
    List<Value> out = run(g, Map.of("x", Value.of(in, 3, 2)));
    assertClose(out.get(0).floats(), new float[] {in[0], in[1]});
    assertClose(out.get(1).floats(), new float[] {in[4], in[5]});
    assertClose(out.get(2).floats(), new float[] {in[1], in[3], in[5]});
  }

  @Test
  void gatherElementsPicksPerRow() throws Exception {
    GraphBuilder g = new GraphBuilder("gather-elements");
    String x = g.input("x", FLOAT, Dim.of(2), Dim.of(4));
    String idx = g.input("i", INT64, Dim.of(2), Dim.of(2));
    g.opTo("y", "GatherElements", List.of(x, idx), Attribute.of("axis", 1L));
    g.output("y", FLOAT, Dim.of(2), Dim.of(2));
    float[] in = {0, 1, 2, 3, 10, 11, 12, 13};
    long[] picks = {3, 0, 1, 2};
    float[] expected = {in[3], in[0], in[4 + 1], in[4 + 2]};
    assertClose(run(g, Map.of("x", Value.of(in, 2, 4), "i", Value.of(picks, 2, 2))).getFirst().floats(), expected);
  }

  @Test
  void topKBreaksTiesTowardsTheLowerIndex() throws Exception {
    GraphBuilder g = new GraphBuilder("topk");
    String x = g.input("x", FLOAT, Dim.of(1), Dim.of("n"));
    String k = g.input("k", INT64, Dim.of(1));
    g.ops(List.of("values", "indices"), "TopK", List.of(x, k), Attribute.of("axis", -1L), Attribute.of("largest", 1L), Attribute.of("sorted", 1L));
    g.output("values", FLOAT, Dim.of(1), Dim.of("k"));
    g.output("indices", INT64, Dim.of(1), Dim.of("k"));
    // five equal maxima, only three fit: the three lowest indices must win
    float[] in = {0.1f, 0.5f, 0.2f, 0.5f, 0.5f, 0.05f, 0.5f, 0.5f};
    List<Value> out = run(g, Map.of("x", Value.of(in, 1, in.length), "k", Value.of(new long[] {3}, 1)));
    assertThat(out.get(1).longs()).containsExactly(1, 3, 4);
    assertClose(out.get(0).floats(), new float[] {0.5f, 0.5f, 0.5f});
  }

  @Test
  void maxPoolOneDimensionalWithPaddingKeepsTheLength() throws Exception {
    Random rnd = new Random(SEED);
    int kernel = 5;
    GraphBuilder g = new GraphBuilder("maxpool");
    String x = g.input("x", FLOAT, Dim.of(2), Dim.of(1), Dim.of("n"));
    g.opTo("y", "MaxPool", List.of(x), Attribute.ofInts("kernel_shape", kernel), Attribute.ofInts("pads", kernel / 2, kernel / 2),
        Attribute.ofInts("strides", 1));
    g.output("y", FLOAT, Dim.of(2), Dim.of(1), Dim.of("n"));
    int n = 11;
    float[] in = random(rnd, 2 * n);
    float[] expected = new float[2 * n];
    for (int h = 0; h < 2; h++) {
      for (int j = 0; j < n; j++) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = Math.max(0, j - 2); i <= Math.min(n - 1, j + 2); i++) {
          m = Math.max(m, in[h * n + i]);
        }
        expected[h * n + j] = m;
      }
    }
    Value y = run(g, Map.of("x", Value.of(in, 2, 1, n))).getFirst();
    assertThat(y.shape()).containsExactly(2, 1, n);
    assertClose(y.floats(), expected);
  }

  @Test
  void reshapeInfersMinusOne() throws Exception {
    GraphBuilder g = new GraphBuilder("reshape");
    String x = g.input("x", FLOAT, Dim.of("a"), Dim.of(6));
    g.opTo("y", "Reshape", List.of(x, g.constLongs(-1, 3)));
    g.output("y", FLOAT, Dim.of("b"), Dim.of(3));
    float[] in = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    Value y = run(g, Map.of("x", Value.of(in, 2, 6))).getFirst();
    assertThat(y.shape()).containsExactly(4, 3);
    assertClose(y.floats(), in);
  }

  @Test
  void sliceWithNegativeStartAndOpenEnd() throws Exception {
    GraphBuilder g = new GraphBuilder("slice");
    String x = g.input("x", FLOAT, Dim.of("r"), Dim.of(2));
    String ends = g.input("e", INT64, Dim.of(1));
    g.opTo("tail", "Slice", List.of(x, g.constLongs(-2), g.constLongs(Long.MAX_VALUE), g.constLongs(0)));
    g.opTo("head", "Slice", List.of(x, g.constLongs(0), ends, g.constLongs(1)));
    g.output("tail", FLOAT, Dim.of(2), Dim.of(2));
    g.output("head", FLOAT, Dim.of("r"), Dim.of("c"));
    float[] in = {1, 2, 3, 4, 5, 6, 7, 8};
    List<Value> out = run(g, Map.of("x", Value.of(in, 4, 2), "e", Value.of(new long[] {1}, 1)));
    assertClose(out.get(0).floats(), new float[] {5, 6, 7, 8});
    assertClose(out.get(1).floats(), new float[] {1, 3, 5, 7});
  }

  @Test
  void concatUnsqueezeSqueeze() throws Exception {
    GraphBuilder g = new GraphBuilder("concat");
    String a = g.input("a", FLOAT, Dim.of(2));
    String b = g.input("b", FLOAT, Dim.of(2));
    String ua = g.op("Unsqueeze", List.of(a, g.constLongs(0)));
    String ub = g.op("Unsqueeze", List.of(b, g.constLongs(0)));
    g.opTo("y", "Concat", List.of(ua, ub), Attribute.of("axis", 0L));
    String col = g.op("Slice", List.of("y", g.constLongs(1), g.constLongs(2), g.constLongs(1)));
    g.opTo("z", "Squeeze", List.of(col, g.constLongs(1)));
    g.output("y", FLOAT, Dim.of(2), Dim.of(2));
    g.output("z", FLOAT, Dim.of(2));
    List<Value> out = run(g, Map.of("a", Value.of(new float[] {1, 2}, 2), "b", Value.of(new float[] {3, 4}, 2)));
    assertThat(out.get(0).shape()).containsExactly(2, 2);
    assertClose(out.get(0).floats(), new float[] {1, 2, 3, 4});
    assertThat(out.get(1).shape()).containsExactly(2);
    assertClose(out.get(1).floats(), new float[] {2, 4});
  }

  @Test
  void shapeWithStartEndAndRange() throws Exception {
    GraphBuilder g = new GraphBuilder("shape-range");
    String x = g.input("x", FLOAT, Dim.of(3), Dim.of("n"));
    String n = g.op("Shape", List.of(x), Attribute.of("start", 1L), Attribute.of("end", 2L));
    g.opTo("n", "Identity", List.of(n));
    String scalar = g.op("Squeeze", List.of(n));
    g.opTo("r", "Range", List.of(g.scalarLong(0), scalar, g.scalarLong(1)));
    g.output("n", INT64, Dim.of(1));
    g.output("r", INT64, Dim.of("n"));
    List<Value> out = run(g, Map.of("x", Value.of(new float[15], 3, 5)));
    assertThat(out.get(0).longs()).containsExactly(5);
    assertThat(out.get(1).longs()).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void greaterAndWhereBuildACausalMask() throws Exception {
    GraphBuilder g = new GraphBuilder("mask");
    String cols = g.input("cols", INT64, Dim.of("n"));
    String limit = g.input("limit", INT64, Dim.of("q"), Dim.of(1));
    String above = g.op("Greater", List.of(cols, limit));
    g.opTo("mask", "Where", List.of(above, g.scalarFloat(Float.NEGATIVE_INFINITY), g.scalarFloat(0f)));
    g.output("mask", FLOAT, Dim.of("q"), Dim.of("n"));
    List<Value> out = run(g, Map.of("cols", Value.of(new long[] {0, 1, 2}, 3), "limit", Value.of(new long[] {1, 2}, 2, 1)));
    float inf = Float.NEGATIVE_INFINITY;
    assertThat(out.getFirst().floats()).containsExactly(0, 0, inf, 0, 0, 0);
  }

  @Test
  void isNanFlagsOnlyNan() throws Exception {
    GraphBuilder g = new GraphBuilder("isnan");
    String x = g.input("x", FLOAT, Dim.of(4));
    g.opTo("y", "IsNaN", List.of(x));
    g.output("y", BOOL, Dim.of(4));
    List<Value> out = run(g, Map.of("x", Value.of(new float[] {1, Float.NaN, Float.POSITIVE_INFINITY, 0}, 4)));
    assertThat(out.getFirst().longs()).containsExactly(0, 1, 0, 0);
  }

  @Test
  void addAndMulBroadcast() throws Exception {
    GraphBuilder g = new GraphBuilder("arith");
    String x = g.input("x", FLOAT, Dim.of(2), Dim.of(2));
    String scaled = g.op("Mul", List.of(x, g.scalarFloat(3f)));
    g.opTo("y", "Add", List.of(scaled, g.constant(Tensor.ofFloats("bias", new long[] {2}, 1f, -1f))));
    g.output("y", FLOAT, Dim.of(2), Dim.of(2));
    assertClose(run(g, Map.of("x", Value.of(new float[] {1, 2, 3, 4}, 2, 2))).getFirst().floats(), new float[] {4, 5, 10, 11});
  }
}
