package org.recycledattention.backend.onnx.proto;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds a {@link Graph} node by node, naming intermediate values itself. Nodes must be added in
 * topological order (each input defined before use), as ONNX requires.
 *
 * <pre>{@code
 * GraphBuilder g = new GraphBuilder("softmax");
 * String x = g.input("x", DataType.FLOAT, Dim.of("n"));
 * g.opTo("y", "Softmax", List.of(x), Attribute.of("axis", -1L));
 * g.output("y", DataType.FLOAT, Dim.of("n"));
 * byte[] model = g.toModelBytes();
 * }</pre>
 *
 * <p><b>NOTE:</b> not thread-safe; build a graph on one thread.
 */
public final class GraphBuilder {
  private final String name;
  private final List<Node> nodes = new ArrayList<>();
  private final List<Tensor> initializers = new ArrayList<>();
  private final List<ValueInfo> inputs = new ArrayList<>();
  private final List<ValueInfo> outputs = new ArrayList<>();
  private final Set<String> defined = new HashSet<>();
  private int counter;

  public GraphBuilder(String name) {
    this.name = requireNonNull(name, "name is null");
  }

  /** Declares a graph input and returns its name. */
  public String input(String inputName, DataType type, Dim... dims) {
    define(inputName);
    inputs.add(ValueInfo.of(inputName, type, dims));
    return inputName;
  }

  /** Declares {@code valueName} (already produced by a node) as a graph output. */
  public void output(String valueName, DataType type, Dim... dims) {
    if (!defined.contains(valueName)) {
      throw new IllegalArgumentException("graph '" + name + "' has no value '" + valueName + "' to output");
    }
    outputs.add(ValueInfo.of(valueName, type, dims));
  }

  /** A constant int64 tensor of shape {@code dims}; returns its name. */
  public String constLongs(long[] dims, long... values) {
    return constant(Tensor.ofLongs(fresh("c"), dims, values));
  }

  /** A constant 1-D int64 tensor. */
  public String constLongs(long... values) {
    return constLongs(new long[] {values.length}, values);
  }

  /** A constant int64 scalar. */
  public String scalarLong(long value) {
    return constLongs(new long[0], value);
  }

  /** A constant float scalar. */
  public String scalarFloat(float value) {
    return constant(Tensor.ofFloats(fresh("c"), new long[0], value));
  }

  /** Adds {@code tensor} as an initializer (a constant input); returns its name. */
  public String constant(Tensor tensor) {
    define(tensor.name());
    initializers.add(tensor);
    return tensor.name();
  }

  /** A node of the standard domain with one output, named by the builder; returns that name. */
  public String op(String opType, List<String> in, Attribute... attributes) {
    return opTo(fresh(opType), opType, in, attributes);
  }

  /** A node with one output called {@code output}; returns it. */
  public String opTo(String output, String opType, List<String> in, Attribute... attributes) {
    return ops(List.of(output), opType, in, attributes).getFirst();
  }

  /** A node with {@code count} outputs, named by the builder. */
  public List<String> op(int count, String opType, List<String> in, Attribute... attributes) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(fresh(opType));
    }
    return ops(out, opType, in, attributes);
  }

  /** A node with the given output names. */
  public List<String> ops(List<String> out, String opType, List<String> in, Attribute... attributes) {
    for (String i : in) {
      if (!i.isEmpty() && !defined.contains(i)) {
        throw new IllegalArgumentException("node " + opType + " of graph '" + name + "' reads '" + i + "' before it is defined");
      }
    }
    for (String o : out) {
      define(o);
    }
    nodes.add(new Node(opType, in, out, "n" + nodes.size() + "_" + opType, "", List.of(attributes)));
    return List.copyOf(out);
  }

  public Graph graph() {
    return new Graph(name, nodes, initializers, inputs, outputs);
  }

  /** The graph wrapped in a {@link Model} (IR 8, opset 17), encoded. */
  public byte[] toModelBytes() {
    return Model.of(graph()).toByteArray();
  }

  private String fresh(String prefix) {
    String n;
    do {
      n = prefix + "_" + counter++;
    } while (defined.contains(n));
    return n;
  }

  private void define(String valueName) {
    requireNonNull(valueName, "valueName is null");
    if (valueName.isEmpty() || !defined.add(valueName)) {
      throw new IllegalArgumentException("value name '" + valueName + "' is empty or already defined in graph '" + name + "'");
    }
  }
}
