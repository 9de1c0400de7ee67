/**
 * The {@code onnx} KV-cache backend: keys and values in native memory that ONNX Runtime reads in
 * place, attention and top-K selection as ONNX graphs this module writes itself ({@link
 * org.recycledattention.backend.onnx.proto}).
 *
 * <h2>Design</h2>
 * <ul>
 *   <li><b>Storage.</b> Per layer, keys and values are f32 in native memory (FFM arenas, freed on
 *       shrink and close), head-major with a capacity stride, so the {@code n} valid rows of one KV
 *       head are contiguous and are wrapped as one {@code [n, headDim]} tensor per head without a
 *       copy. The graphs therefore take one key and one value input per KV head; no {@code Slice}
 *       or {@code Concat} of the cache happens per step. Growth doubles; eviction swap-removes
 *       rows and shrinks below a quarter of capacity.
 *   <li><b>Partial cache.</b> A separate gathered store with one spare row: a {@code Partial} plan
 *       copies the current token there ({@code headDim} floats per head), so partial cache plus
 *       current token is again one contiguous tensor per head and the same attention graph serves
 *       both plans.
 *   <li><b>Sessions.</b> One session per {@link org.recycledattention.backend.onnx.GraphKey} (KV
 *       heads, group, head dimension, causal or not, score mode and reduction; or the pooling
 *       kernel), built on first use and kept by the backend. Lengths, query counts and K are
 *       dynamic, so decoding builds no session after warm-up.
 *   <li><b>Outputs.</b> The attention output and the scores are pinned outputs: ONNX Runtime
 *       writes them into native buffers the cache owns. {@code Scores.topK} runs the selection
 *       graph over the score buffer in place and returns K slots per head, sorted on the host.
 * </ul>
 *
 * <p>Depends on ra-api and ONNX Runtime's Java API (whose jar carries the natives).
 */
package org.recycledattention.backend.onnx;
