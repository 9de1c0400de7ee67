/**
 * KV-cache backends: where keys and values live and how attention is computed.
 *
 * <h2>Layout and conventions</h2>
 * <ul>
 *   <li>Keys and values are stored after RoPE; they keep their original positions (no re-rotation).
 *   <li>Arrays are row-major and token-major: {@code k}, {@code v} are {@code tokens × kvHeads ×
 *       headDim}; {@code q} and the output are {@code queries × queryHeads × headDim}.
 *   <li>Grouped-query attention: query head {@code h} reads KV head {@code h / (queryHeads /
 *       kvHeads)}. Scale {@code 1/sqrt(headDim)}.
 *   <li>Per layer the cache has a <em>main store</em> (the full cache {@code C_f}; evicting
 *       policies shrink it) and an optional <em>partial cache</em> ({@code C_p}: a gathered,
 *       contiguous copy of selected main-store entries). Every KV head of a layer has the same
 *       number of entries in each; which entries differs per head.
 *   <li>Entries are addressed by <em>slot</em> (index in the store). Appends go to the end. An
 *       eviction moves the last entry into the freed slot (swap-remove, O(headDim)), so slot order
 *       equals position order only until the first eviction. {@link
 *       org.recycledattention.api.cache.WorkingSet#position} tells each slot's position.
 * </ul>
 */
package org.recycledattention.api.cache;
