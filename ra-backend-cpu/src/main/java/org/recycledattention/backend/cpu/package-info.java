/**
 * The {@code cpu} KV-cache backend: pure Java, the reference every other backend is compared with.
 *
 * <h2>Storage</h2>
 * Per (layer, KV head) a main store ({@code C_f}) and an optional partial cache ({@code C_p}), each
 * two contiguous heap arrays ({@code entries × headDim}) for keys and values plus an {@code int}
 * position per slot. Elements are {@code float}, or {@code short} holding IEEE half ({@code f16})
 * or bfloat16 ({@code bf16}) bits. Values are row-major; keys are stored in tiles of one vector's
 * lane count (16 with AVX-512), transposed inside the tile, so that a vector of fused
 * multiply-adds advances the dot products of 16 keys at once with no horizontal sums (the
 * row-major alternative spent most of its time summing lanes: 3x slower at head size 64). The main store grows by doubling up to {@code
 * maxTokens} and shrinks when eviction leaves it a quarter full; the partial cache is a gathered
 * copy sized to its selection. Eviction is swap-remove.
 *
 * <h2>Attention</h2>
 * One kernel walks an ordered list of segments (the main store for a full step; the partial cache
 * then the newest main-store entry for a partial step): scores {@code q·k / sqrt(headDim)} for the
 * whole query-head group of a KV head while the key tile is in L1 (each K and V byte is read
 * from memory once per group, not once per query head), an f32 softmax with the maximum
 * subtracted, then the weighted sum of value rows in the same order, 16 rows per pass with the
 * outputs held in registers. Scoring advances four key tiles for two query heads at once, and the
 * value pass two query heads at once (eight independent chains of fused multiply-adds; one chain
 * would be bound by their latency), without changing any result. f16 and bf16 keys and values are
 * widened to f32 in registers as they are loaded ({@link org.recycledattention.backend.cpu.HalfKernels}:
 * integer lane operations, exact for every finite value); an f16 store that ever held an infinity or
 * a NaN decodes a block at a time into scratch instead ({@code Float.float16ToFloat} in a loop C2
 * vectorises), with the same results. Attention over the
 * same entries in the same order therefore gives bit-identical results whichever stores they come
 * from, and whatever the thread count: work is split by (query, KV head), never within one head.
 * The units run on the caller's kernel threads when a session lends them ({@code
 * KvCache.shareThreads}: no hand-off between pools, which cost as much as a second thread saved at
 * 1K tokens on 2 cores), else on the backend's own pool.
 * Everything uses {@code FloatVector.SPECIES_PREFERRED}; no result depends on the JIT (lanes are
 * combined in a fixed order, and the softmax's exponential is built from exact lane operations),
 * so the first, interpreted call and the compiled ones agree bit for bit.
 *
 * <h2>Selection and gather</h2>
 * {@code Scores.topK} is {@code ScoreMath.topK}'s selection computed by a radix select ({@link
 * org.recycledattention.backend.cpu.TopK}). Once a layer has been asked for a top-K, its next
 * single-query full step selects with the same parameters inside the attention units, head by head
 * on the threads that computed the scores; and once such a selection was gathered as the partial
 * cache, the units also gather the next one: keys right after the head's selection, values during
 * its value pass, block by block as the pass reads them. {@code topK} and {@code gatherPartial} then
 * hand over what was made (the same function of the same data, so nothing observable changes). A
 * gather copies runs of consecutive slots: whole value rows, and key tile rows as masked vector
 * lanes.
 *
 * <h2>Counting</h2>
 * {@code tokensAttended} and {@code bytesRead} count the entries the newest query attends per call
 * (for a causal prefill chunk: all resident entries), times {@code kvHeads × headDim × 2 × dtype
 * bytes} for bytes. Resident bytes count stored entries (main plus partial), not spare capacity.
 *
 * <p>Depends on ra-api and {@code jdk.incubator.vector} only.
 */
package org.recycledattention.backend.cpu;
