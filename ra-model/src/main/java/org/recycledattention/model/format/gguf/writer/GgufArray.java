package org.recycledattention.model.format.gguf.writer;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.recycledattention.model.format.gguf.GgufValueType;

/**
 * A GGUF metadata array: one element type and the elements ({@link Number}s for numeric types,
 * {@link Boolean}s, {@link String}s, or nested {@link GgufArray}s for {@link GgufValueType#ARRAY}).
 */
public record GgufArray(GgufValueType elementType, List<?> values) {
  public GgufArray {
    requireNonNull(elementType, "elementType is null");
    values = List.copyOf(requireNonNull(values, "values is null"));
  }
}
