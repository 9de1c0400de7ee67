package org.recycledattention.inference;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-request changes to the engine's attention policy, validated exactly like the command line's
 * {@code --policy}, {@code --budget} and {@code --set}: the same keys, types, ranges and messages.
 * Only policy keys may change per request ({@code ra.policy}, {@code ra.budget}, {@code
 * ra.policy.<name>.<key>}); the backend and threads are fixed when the engine starts.
 *
 * @param policy the policy name, or null for the engine's
 * @param budget the token budget K, or null for the engine's
 * @param settings more {@code ra.*} keys and their values, in order
 */
public record PolicyOverrides(String policy, Integer budget, Map<String, String> settings) {
  /** No change. */
  public static final PolicyOverrides NONE = new PolicyOverrides(null, null, Map.of());

  public PolicyOverrides {
    settings =
        Collections.unmodifiableMap(
            new LinkedHashMap<>(requireNonNull(settings, "settings is null")));
  }

  public static PolicyOverrides policy(String name) {
    return new PolicyOverrides(requireNonNull(name, "name is null"), null, Map.of());
  }

  /** A copy with this budget. */
  public PolicyOverrides withBudget(int k) {
    return new PolicyOverrides(policy, k, settings);
  }

  /** A copy with one more setting. */
  public PolicyOverrides with(String key, String value) {
    Map<String, String> more = new LinkedHashMap<>(settings);
    more.put(requireNonNull(key, "key is null"), requireNonNull(value, "value is null"));
    return new PolicyOverrides(policy, budget, more);
  }

  public boolean isEmpty() {
    return policy == null && budget == null && settings.isEmpty();
  }
}
