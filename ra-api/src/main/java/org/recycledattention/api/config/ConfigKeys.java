package org.recycledattention.api.config;

import static java.util.Objects.requireNonNull;

/**
 * The grammar of configuration keys, in one place: the global keys {@code ra.<key>}, a policy's
 * {@code ra.policy.<name>.<key>} and a backend's {@code ra.backend.<name>.<key>}. A provider
 * declares its keys without the prefix; the engine adds it.
 */
public final class ConfigKeys {
  /** Every key starts with this. */
  public static final String ROOT = "ra.";
  /** The keys of all policies: {@code ra.policy.<name>.<key>}. */
  public static final String POLICIES = "ra.policy.";
  /** The keys of all backends: {@code ra.backend.<name>.<key>}. */
  public static final String BACKENDS = "ra.backend.";

  private ConfigKeys() {}

  /** {@code ra.policy.<name>.}: the prefix of a policy's keys. */
  public static String policyPrefix(String policy) {
    return POLICIES + requireNonNull(policy, "policy is null") + ".";
  }

  /** {@code ra.backend.<name>.}: the prefix of a backend's keys. */
  public static String backendPrefix(String backend) {
    return BACKENDS + requireNonNull(backend, "backend is null") + ".";
  }
}
