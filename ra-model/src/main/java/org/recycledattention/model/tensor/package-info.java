/**
 * Weight tensors and the dense kernels over them.
 *
 * <p>A {@link org.recycledattention.model.tensor.FloatTensor} is a row-major matrix ({@code rows ×
 * cols}; a vector is one row) stored in one GGML type: {@code F32}, {@code F16}, {@code BF16},
 * {@code Q8_0}, {@code Q4_0}. Each type is one small final class over a {@link
 * java.lang.foreign.MemorySegment} (normally a memory-mapped region of the model file, never a heap
 * copy) with a Vector API {@code dot}; {@link org.recycledattention.model.tensor.ArrayTensor} is an
 * F32 tensor on the heap for tests and synthetic models.
 *
 * <p>{@link org.recycledattention.model.tensor.MatMul} holds the matrix-vector product (decode) and
 * the batched product (prefill: several input vectors per pass over the weights), parallel over
 * output rows through a caller-owned {@link org.recycledattention.model.tensor.Parallel}.
 *
 * <p>Depends on the JDK (incubating Vector API, FFM) and {@code engine.model} for its exception
 * type only. Everything here is immutable and thread-safe except {@code Parallel} (one caller at a
 * time).
 */
package org.recycledattention.model.tensor;
