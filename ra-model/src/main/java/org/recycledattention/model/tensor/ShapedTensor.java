package org.recycledattention.model.tensor;

/**
 * What every tensor states the same way: its name, storage type, the activation format its kernels
 * read, and its shape. The subclasses hold the data and the kernels.
 */
abstract sealed class ShapedTensor implements FloatTensor permits F32Tensor, HalfTensor, ArrayTensor, BlockTensor {
  private final String name;
  final GgmlType type;
  private final InputFormat inputFormat;
  final int rows;
  final int cols;

  ShapedTensor(String name, GgmlType type, InputFormat inputFormat, int rows, int cols) {
    this.name = name;
    this.type = type;
    this.inputFormat = inputFormat;
    this.rows = rows;
    this.cols = cols;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final GgmlType type() {
    return type;
  }

  @Override
  public final InputFormat inputFormat() {
    return inputFormat;
  }

  @Override
  public final int rows() {
    return rows;
  }

  @Override
  public final int cols() {
    return cols;
  }
}
