package org.recycledattention.backend.pytorch;

import org.recycledattention.api.provider.Availability;

/** Prints the provider's availability; run in a child JVM by {@link PytorchBackendProviderTest}. */
public final class AvailabilityProbe {
  private AvailabilityProbe() {}

  public static void main(String[] args) {
    Availability a = new PytorchBackendProvider().availability();
    System.out.println("available=" + a.available() + " detail=" + a.detail());
  }
}
