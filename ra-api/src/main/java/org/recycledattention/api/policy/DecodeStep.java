package org.recycledattention.api.policy;

import static java.util.Objects.requireNonNull;

/**
 * The step a plan is asked for.
 *
 * @param phase prefill chunk, last prefill chunk, or decode
 * @param position sequence position (0-based) of the newest token of this step
 * @param decodeIndex 0 for the first generated token, 1 for the next, ...; -1 during prefill
 * @param queries how many new tokens this step has (1 when decoding)
 * @param query the queries of this step's tokens after RoPE, {@code queries × queryHeads × headDim},
 *     token-major; the newest token's query is last. Owned by the engine and reused between steps:
 *     read it during {@code plan}/{@code observe}, never modify or keep it.
 */
public record DecodeStep(Phase phase, int position, int decodeIndex, int queries, float[] query) {
  public DecodeStep {
    requireNonNull(phase, "phase is null");
    requireNonNull(query, "query is null");
    if (queries < 1) {
      throw new IllegalArgumentException("queries must be >= 1, got " + queries);
    }
    if (phase == Phase.DECODE && queries != 1) {
      throw new IllegalArgumentException("a decode step has exactly 1 query, got " + queries);
    }
  }
}
