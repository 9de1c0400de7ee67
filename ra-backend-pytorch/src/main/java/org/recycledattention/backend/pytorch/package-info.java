/**
 * The {@code pytorch} KV-cache backend: keys, values and attention as libtorch tensors through DJL
 * (Deep Java Library), on the CPU or a CUDA GPU.
 *
 * <h2>Natives, offline</h2>
 * libtorch comes from the {@code ai.djl.pytorch:pytorch-native-cpu} jar and DJL's JNI glue from
 * {@code ai.djl.pytorch:pytorch-jni}, both Maven dependencies. DJL extracts them to {@code
 * ~/.djl.ai/pytorch/} on first use; {@link org.recycledattention.backend.pytorch.LibTorch} sets
 * {@code ai.djl.offline=true} first, so nothing is ever downloaded. Loading is lazy and failures
 * become an unavailable {@code Availability} with the reason, never a crash.
 *
 * <h2>Data layout</h2>
 * Per layer, a main store and a partial cache ({@link org.recycledattention.backend.pytorch.DeviceStore}):
 * keys {@code [kvHeads, headDim, capacity]} (transposed, so logits need no transpose op), values
 * {@code [kvHeads, capacity, headDim]}, preallocated with amortised doubling and shrunk when three
 * quarters are free. Positions are host {@code int} arrays. The partial cache is a gathered,
 * contiguous copy plus one reserved slot into which a {@code Partial} step copies the current token,
 * so the step attends {@code partialLength + 1} contiguous entries.
 *
 * <h2>One decode attend</h2>
 * Write q (pre-scaled by {@code 1/sqrt(d)}) straight into the memory of a persistent CPU tensor
 * {@code [kvHeads, group, headDim]} through a {@code ByteBuffer} view (no JNI call, no allocation;
 * on CUDA one copy to its device twin), then {@code logits = q @ keys[:, :, :n]}, {@code probs =
 * softmax(logits, float32)}, {@code out = probs @ values[:, :n, :]}: five tensor ops, then a
 * zero-copy read of the small output. Grouped-query attention falls out of the shapes: the {@code
 * group} query heads of a KV head are the rows of one batched matmul. Several queries (prefill)
 * add a causal mask built on the device. Half-precision storage: on the GPU the matmuls run in
 * half with the softmax in float32; on the CPU keys and values are widened to float32 per step
 * (libtorch's CPU half matmul is several times slower than widening). bfloat16 is refused: DJL's
 * JNI has no bfloat16 type and aborts the JVM when asked for one.
 *
 * <h2>Scores and selection on the device</h2>
 * Scores are reduced over the group (max, mean or first) on the device and stay there as a {@code
 * [kvHeads, n]} tensor; {@link org.recycledattention.backend.pytorch.DeviceScores#topK} max-pools,
 * selects (exactly {@code ScoreMath.topK}, ties to the lower slot) and transfers only the K chosen
 * slots and scores. Gathers, swap-remove eviction and retain are device copies; only K-sized index
 * arrays are uploaded.
 *
 * <h2>Memory</h2>
 * No Java-owned native memory: uploads are written into libtorch-allocated CPU tensors (DJL's own
 * staging uses direct buffers that only the garbage collector frees, which let the process grow by
 * hundreds of megabytes over a few hundred large caches). Every tensor belongs to the cache's DJL
 * sub-manager. The temporaries of a call are closed before
 * it returns ({@link org.recycledattention.backend.pytorch.Scratch}); {@code close()} closes the
 * sub-manager and with it everything else. On CUDA, freed memory returns to libtorch's caching
 * allocator (reusable, not given back to the driver).
 *
 * <p>Depends on ra-api, DJL's api and its PyTorch engine only.
 */
package org.recycledattention.backend.pytorch;
