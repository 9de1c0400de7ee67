package org.recycledattention.model.tensor;

import java.lang.foreign.MemorySegment;

/**
 * GGML {@code IQ4_NL}: blocks of 32 elements: f16 scale {@code d}, then 16 bytes of nibbles laid out
 * as Q4_0's, each an index into a fixed non-linear table ({@code kvalues_iq4nl}); an element is
 * {@code table[nibble] · d}. 18 bytes per block; activations {@link InputFormat#Q8_0}.
 */
public final class IQ4_NLTensor extends NibbleTensor {
  IQ4_NLTensor(String name, MemorySegment data, int rows, int cols) {
    super(GgmlType.IQ4_NL, InputFormat.Q8_0, 2, -1, Vec.IQ4_TABLE, name, data, rows, cols);
  }
}
