package org.recycledattention.policy.recycled;

import java.util.Locale;

/** When Recycled Attention does a full step while decoding. */
public enum RecycleSchedule {
  /** A full step every {@code stride} decode steps, all layers together. */
  FIXED,
  /** Per layer, a full step when the query has drifted from that of the layer's last full step. */
  DYNAMIC;

  /** The configuration word: {@code fixed} or {@code dynamic}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The schedule named {@code word} ({@code fixed}, {@code dynamic}). */
  public static RecycleSchedule fromConfigName(String word) {
    return valueOf(word.toUpperCase(Locale.ROOT));
  }
}
