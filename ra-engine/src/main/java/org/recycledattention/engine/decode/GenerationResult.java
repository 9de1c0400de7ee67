package org.recycledattention.engine.decode;

/**
 * The outcome of one generation.
 *
 * @param promptIds the prompt as given
 * @param tokens the generated ids, in order
 * @param stoppedAtEos whether generation ended on the end-of-sequence token
 * @param stats timings and policy statistics
 */
public record GenerationResult(int[] promptIds, int[] tokens, boolean stoppedAtEos, GenerationStats stats) {}
