/**
 * Weight tensors and the dense kernels over them.
 *
 * <p>A {@link org.recycledattention.model.tensor.FloatTensor} is a row-major matrix ({@code rows ×
 * cols}; a vector is one row) stored in one GGML type, over a {@link java.lang.foreign.MemorySegment}
 * (normally a memory-mapped region of the model file, never a heap copy): {@link
 * org.recycledattention.model.tensor.F32Tensor}, {@link org.recycledattention.model.tensor.HalfTensor}
 * (F16, BF16) and the block-quantized types under {@link org.recycledattention.model.tensor.BlockTensor}
 * (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS), each laid out
 * exactly as ggml's {@code block_*} struct. A block type is described by two small decoders (its
 * quantized values per 16 elements, its scales and minimums per sub-block); {@code BlockTensor}
 * builds element access, row copies and the one kernel on them. {@link
 * org.recycledattention.model.tensor.ArrayTensor} is an F32 tensor on the heap for tests and
 * synthetic models.
 *
 * <p><b>Activations are converted as llama.cpp converts them.</b> Before a product, the f32
 * activations become the weight type's {@link org.recycledattention.model.tensor.InputFormat}
 * (ggml's {@code vec_dot_type}): Q8_K for the K-quants and IQ4_XS, Q8_0 for Q4_0/Q5_0/Q8_0/IQ4_NL,
 * Q8_1 for Q4_1/Q5_1, rounded to F16/BF16 for the half types, unchanged for F32, with the rounding
 * of ggml's x86 code. Most kernels then multiply in f32 lanes: the quantized weights times the f32
 * each activation stands for, the scale applied once per sub-block and each minimum through the
 * activations' block sums. The Q8_K types (Q2_K to Q6_K, IQ4_XS) multiply in 16-bit integer
 * lanes, as ggml does, with the vector lanes being a block's 16 groups, so that the scales apply
 * once per block as one vector (2 to 8 times faster than their f32 kernels; see {@link
 * org.recycledattention.model.tensor.Q6_KTensor}). So a product is llama.cpp's up to the order of
 * its f32 additions, and the greedy ids are llama.cpp's (the tests hold every type to that on
 * llama.cpp-made fixtures). Kept in f32, activations gave logits 0.2 to 1.9 away from llama.cpp's
 * on the stories260K Q8_0/Q4_0 files, and the ids parted within 4 to 28 tokens.
 *
 * <p>{@link org.recycledattention.model.tensor.Activations} holds a product's input and its
 * converted forms (one per format, shared by the products that read the same input, buffers reused
 * across tokens). {@link org.recycledattention.model.tensor.MatMul} holds the matrix-vector product
 * (decode) and the batched product (prefill: several input vectors per pass over the weights),
 * parallel over output rows through a caller-owned {@link org.recycledattention.model.tensor.Parallel}.
 *
 * <p>Depends on the JDK (incubating Vector API, FFM), {@code engine.model} for its exception
 * type only, and ra-api's {@code KernelThreads}, which {@code Parallel} implements so that a KV
 * cache can run its attention on the kernel threads. Tensors are immutable and thread-safe;
 * {@code Activations} and {@code Parallel} serve one caller at a time.
 */
package org.recycledattention.model.tensor;
