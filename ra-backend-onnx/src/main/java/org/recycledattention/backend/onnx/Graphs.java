package org.recycledattention.backend.onnx;

import static org.recycledattention.backend.onnx.proto.DataType.FLOAT;
import static org.recycledattention.backend.onnx.proto.DataType.INT64;

import java.util.ArrayList;
import java.util.List;
import org.recycledattention.api.plan.GroupReduction;
import org.recycledattention.api.plan.ScoreMode;
import org.recycledattention.backend.onnx.proto.Attribute;
import org.recycledattention.backend.onnx.proto.Dim;
import org.recycledattention.backend.onnx.proto.GraphBuilder;

/**
 * The ONNX graphs of this backend, built from a {@link GraphKey}. Standard operators of opset 17
 * only, so they run on any execution provider.
 *
 * <h2>Attention</h2>
 * Inputs per KV head {@code h}: the queries {@code q<h> [rows, headDim]} of the query heads that
 * read it ({@code rows = queries·group}, row {@code i·group + g} for query {@code i} and group
 * member {@code g}), the keys {@code k<h>} and values {@code v<h>} as {@code [entries, headDim]};
 * for causal graphs also {@code limit [rows, 1]} (int64: the last entry each row may read).
 * Per KV head:
 * <pre>
 *   s       = Gemm(q<h>, k<h>, mask, alpha = 1/sqrt(headDim), transB = 1)   scaled scores (+ causal mask)
 *   p       = Softmax(s, axis -1)                                            f32
 *   out<h>  = MatMul(p, v<h>)                                                [rows, headDim]
 * </pre>
 * Three nodes per head and nothing else on the decode path: the per-call cost of a node is
 * what limits short contexts. {@code Gemm} with {@code transB} reads the keys where they lie; a
 * {@code Transpose} node would copy the whole cache every step. For one query, the queries and
 * outputs of all heads together are exactly the engine's {@code queryHeads × headDim} layout, so
 * the cache hands them over without rearranging. The causal mask is built in the graph: {@code
 * Where(Greater(Range(0, entries), limit), -inf, 0)}.
 *
 * <p>Scores ({@code [kvHeads, entries]}), reduced over the group from {@code p}: {@link
 * ScoreMode#LAST_QUERY} takes the last {@code group} rows ({@code Slice}) and applies {@code
 * ReduceMax}, {@code ReduceMean} or takes the first row; {@link ScoreMode#SUM} reshapes {@code p}
 * to {@code [queries, group, entries]}, reduces axis 1 the same way and sums over queries ({@code
 * ReduceSum}).
 *
 * <h2>Selection</h2>
 * Inputs {@code scores [kvHeads, n]}, {@code keep [1]} (slots not forced as recent: {@code n -
 * recent}) and {@code k [1]} (slots to pick among them). {@code pooled =
 * Squeeze(MaxPool(Unsqueeze(scores)))} (1-D, stride 1, pads {@code kernel/2} each side: the same
 * clipped window as {@code ScoreMath.maxPool}); NaN becomes -inf ({@code IsNaN}, {@code Where});
 * {@code TopK(Slice(pooled, 0, keep), k)} (ties to the lower index, as ONNX specifies); outputs the
 * indices, their pooled scores ({@code GatherElements}) and the pooled scores of the recent slots.
 */
final class Graphs {
  private Graphs() {}

  static byte[] build(GraphKey key) {
    return switch (key) {
      case GraphKey.Attention a -> attention(a);
      case GraphKey.Selection s -> selection(s);
    };
  }

  static String keyInput(int head) {
    return "k" + head;
  }

  static String valueInput(int head) {
    return "v" + head;
  }

  static String queryInput(int head) {
    return "q" + head;
  }

  static String outputName(int head) {
    return "out" + head;
  }

  static byte[] attention(GraphKey.Attention key) {
    int heads = key.kvHeads();
    int group = key.group();
    int dim = key.headDim();
    GraphBuilder g = new GraphBuilder("attention");
    Dim rows = Dim.of("rows");
    Dim entries = Dim.of("entries");
    String[] q = new String[heads];
    String[] k = new String[heads];
    String[] v = new String[heads];
    for (int h = 0; h < heads; h++) {
      q[h] = g.input(queryInput(h), FLOAT, rows, Dim.of(dim));
      k[h] = g.input(keyInput(h), FLOAT, entries, Dim.of(dim));
      v[h] = g.input(valueInput(h), FLOAT, entries, Dim.of(dim));
    }
    String mask = "";
    String entriesShape = null;
    if (key.causal() || key.mode() == ScoreMode.SUM) {
      entriesShape = g.op("Shape", List.of(k[0]), Attribute.of("start", 0L), Attribute.of("end", 1L));
    }
    if (key.causal()) {
      String limit = g.input("limit", INT64, rows, Dim.of(1));
      String cols = g.op("Range", List.of(g.scalarLong(0), g.op("Squeeze", List.of(entriesShape)), g.scalarLong(1)));
      String above = g.op("Greater", List.of(cols, limit));
      mask = g.op("Where", List.of(above, g.scalarFloat(Float.NEGATIVE_INFINITY), g.scalarFloat(0f)));
    }
    String probsShape = key.mode() == ScoreMode.SUM
        ? g.op("Concat", List.of(g.constLongs(-1, group), entriesShape), Attribute.of("axis", 0L)) : null;
    float scale = (float) (1.0 / Math.sqrt(dim));
    List<String> scores = new ArrayList<>();
    for (int h = 0; h < heads; h++) {
      List<String> gemmInputs = key.causal() ? List.of(q[h], k[h], mask) : List.of(q[h], k[h]);
      String s = g.op("Gemm", gemmInputs, Attribute.of("alpha", scale), Attribute.of("transB", 1L));
      String p = g.op("Softmax", List.of(s), Attribute.of("axis", -1L));
      g.opTo(outputName(h), "MatMul", List.of(p, v[h]));
      g.output(outputName(h), FLOAT, rows, Dim.of(dim));
      switch (key.mode()) {
        case NONE -> { }
        case LAST_QUERY -> scores.add(reduceLast(g, p, group, key.reduction()));
        case SUM -> scores.add(reduceSum(g, p, probsShape, key.reduction()));
      }
    }
    if (key.mode() != ScoreMode.NONE) {
      g.opTo("scores", "Concat", scores, Attribute.of("axis", 0L));
      g.output("scores", FLOAT, Dim.of(heads), entries);
    }
    return g.toModelBytes();
  }

  /** {@code [1, entries]}: the last query's rows of {@code p} reduced over the group. */
  private static String reduceLast(GraphBuilder g, String p, int group, GroupReduction reduction) {
    String axis0 = g.constLongs(0);
    if (reduction == GroupReduction.FIRST) {
      String end = group == 1 ? g.constLongs(Long.MAX_VALUE) : g.constLongs(1 - group);
      return g.op("Slice", List.of(p, g.constLongs(-group), end, axis0));
    }
    String last = g.op("Slice", List.of(p, g.constLongs(-group), g.constLongs(Long.MAX_VALUE), axis0));
    String op = reduction == GroupReduction.MAX ? "ReduceMax" : "ReduceMean";
    return g.op(op, List.of(last), Attribute.ofInts("axes", 0), Attribute.of("keepdims", 1L));
  }

  /** {@code [1, entries]}: every query's rows reduced over the group, summed over queries. */
  private static String reduceSum(GraphBuilder g, String p, String probsShape, GroupReduction reduction) {
    String p3 = g.op("Reshape", List.of(p, probsShape));
    String perQuery = switch (reduction) {
      case FIRST -> g.op("Gather", List.of(p3, g.scalarLong(0)), Attribute.of("axis", 1L));
      case MAX -> g.op("ReduceMax", List.of(p3), Attribute.ofInts("axes", 1), Attribute.of("keepdims", 0L));
      case MEAN -> g.op("ReduceMean", List.of(p3), Attribute.ofInts("axes", 1), Attribute.of("keepdims", 0L));
    };
    return g.op("ReduceSum", List.of(perQuery, g.constLongs(0)), Attribute.of("keepdims", 1L));
  }

  static byte[] selection(GraphKey.Selection key) {
    int kernel = key.poolKernel();
    GraphBuilder g = new GraphBuilder("selection");
    Dim heads = Dim.of("heads");
    String scores = g.input("scores", FLOAT, heads, Dim.of("entries"));
    String keep = g.input("keep", INT64, Dim.of(1));
    String k = g.input("k", INT64, Dim.of(1));
    String axis1 = g.constLongs(1);
    String pooled = scores;
    if (kernel > 1) {
      String mp = g.op("MaxPool", List.of(g.op("Unsqueeze", List.of(scores, axis1))), Attribute.ofInts("kernel_shape", kernel),
          Attribute.ofInts("pads", kernel / 2, kernel / 2), Attribute.ofInts("strides", 1));
      pooled = g.op("Squeeze", List.of(mp, axis1));
    }
    String clean = g.op("Where", List.of(g.op("IsNaN", List.of(pooled)), g.scalarFloat(Float.NEGATIVE_INFINITY), pooled));
    String older = g.op("Slice", List.of(clean, g.constLongs(0), keep, axis1));
    List<String> top = g.op(2, "TopK", List.of(older, k), Attribute.of("axis", -1L), Attribute.of("largest", 1L), Attribute.of("sorted", 1L));
    g.opTo("slots", "Identity", List.of(top.get(1)));
    g.opTo("selected", "GatherElements", List.of(pooled, top.get(1)), Attribute.of("axis", 1L));
    g.opTo("recent", "Slice", List.of(pooled, keep, g.constLongs(Long.MAX_VALUE), axis1));
    g.output("slots", INT64, heads, Dim.of("k"));
    g.output("selected", FLOAT, heads, Dim.of("k"));
    g.output("recent", FLOAT, heads, Dim.of("recent"));
    return g.toModelBytes();
  }
}
