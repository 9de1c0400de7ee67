package org.recycledattention.api.provider;

import static java.util.Objects.requireNonNull;

/**
 * Whether a provider can be used on this machine, with a human-readable reason: for an available
 * backend what it runs on ({@code libtorch 2.7.1 cpu}), for an unavailable one why not ({@code no
 * CUDA device}).
 */
public record Availability(boolean available, String detail) {
  public Availability {
    requireNonNull(detail, "detail is null");
  }

  public static Availability available(String detail) {
    return new Availability(true, detail);
  }

  public static Availability unavailable(String reason) {
    return new Availability(false, reason);
  }
}
