package org.recycledattention.inference;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;
import org.recycledattention.api.RaException;
import org.recycledattention.api.config.ConfigException;
import org.recycledattention.engine.config.Configuration;
import org.recycledattention.engine.decode.PolicyFactory;
import org.recycledattention.engine.wiring.RaRuntime;

/**
 * Per-request policies on the engine's runtime: the one place that builds a policy from {@link
 * PolicyOverrides}. The overrides are laid over the runtime's configuration at the command-line
 * layer and validated by a runtime of the same providers ({@link RaRuntime#create}), which checks
 * every key, type, range and the backend's capabilities exactly as the command line does; the
 * backend itself stays the engine's. Results are cached per distinct overrides (a bounded LRU).
 *
 * <p>Thread-safe.
 */
final class PolicySelection {
  /** A policy ready to run, with what to report about it. */
  record Selected(PolicyFactory factory, String policy, int budget) {}

  private static final int CACHE = 64;

  private final RaRuntime base;
  private final Selected defaults;
  private final Map<PolicyOverrides, Selected> cache =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PolicyOverrides, Selected> eldest) {
          return size() > CACHE;
        }
      };

  PolicySelection(RaRuntime base) {
    this.base = requireNonNull(base, "base is null");
    this.defaults =
        new Selected(base.policyFactory(), base.config().policyName(), base.config().budget());
  }

  Selected defaults() {
    return defaults;
  }

  /**
   * @throws RequestException naming the policy, budget or setting at fault, with the command line's
   *     message
   */
  Selected select(PolicyOverrides overrides) {
    requireNonNull(overrides, "overrides is null");
    if (overrides.isEmpty()) {
      return defaults;
    }
    synchronized (cache) {
      Selected s = cache.get(overrides);
      if (s != null) {
        return s;
      }
    }
    Selected s = build(overrides);
    synchronized (cache) {
      cache.put(overrides, s);
    }
    return s;
  }

  private Selected build(PolicyOverrides o) {
    Configuration c = base.configuration();
    for (Map.Entry<String, String> e : o.settings().entrySet()) {
      String key = e.getKey();
      if (!key.equals("ra.policy") && !key.equals("ra.budget") && !key.startsWith("ra.policy.")) {
        throw new RequestException(
            RequestException.Field.SETTINGS,
            "'"
                + key
                + "' cannot change per request: only ra.policy, ra.budget and"
                + " ra.policy.<name>.<key> can (the backend and threads are fixed when the engine"
                + " starts)");
      }
      c = c.with(key, e.getValue());
    }
    if (o.policy() != null) {
      c = c.with("ra.policy", o.policy());
    }
    if (o.budget() != null) {
      c = c.with("ra.budget", Integer.toString(o.budget()));
    }
    try (RaRuntime r = RaRuntime.create(base.providers(), c)) {
      r.checkSelection();
      return new Selected(r.policyFactory(), r.config().policyName(), r.config().budget());
    } catch (ConfigException e) {
      String m = e.getMessage();
      RequestException.Field field =
          m.matches(".*\\bra\\.budget\\b.*")
              ? RequestException.Field.BUDGET
              : m.matches(".*\\bra\\.policy\\b(?!\\.).*")
                  ? RequestException.Field.POLICY
                  : RequestException.Field.SETTINGS;
      throw new RequestException(field, m, e);
    } catch (RaException e) {
      throw new RequestException(RequestException.Field.POLICY, e.getMessage(), e);
    }
  }
}
