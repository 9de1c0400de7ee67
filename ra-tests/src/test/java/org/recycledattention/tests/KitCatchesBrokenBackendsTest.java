package org.recycledattention.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.config.ConfigProperty;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.provider.Availability;
import org.recycledattention.tests.KitRunner.Outcome;
import org.recycledattention.tests.ModelBackend.Flaw;

/** The kit tests itself: the backend suite passes a correct backend and catches each deliberate flaw. */
class KitCatchesBrokenBackendsTest {
  @Test
  void correctBackendWithoutOptionalCapabilitiesPasses() {
    Map<String, Outcome> outcomes = KitRunner.run(NoCapabilities.class);
    assertThat(outcomes.get("undeclaredCapabilitiesFailNamingTheCapability").status()).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
    assertThat(outcomes.get("scoresAreReducedOverTheGroup").status()).as("skipped without SCORES").isEqualTo(TestExecutionResult.Status.ABORTED);
    outcomes.forEach((method, o) -> assertThat(o.failed()).as("%s: %s", method, o.throwable()).isFalse());
  }

  @Test
  void unavailableBackendIsSkippedSayingWhy() {
    Map<String, Outcome> outcomes = KitRunner.run(Unavailable.class);
    assertThat(outcomes).isNotEmpty();
    outcomes.forEach((method, o) -> {
      assertThat(o.status()).as(method).isEqualTo(TestExecutionResult.Status.ABORTED);
      assertThat(o.message()).contains("backend 'nowhere' is not available here: no such device");
    });
  }

  @Test
  void wrongScoreReductionIsCaught() {
    Outcome o = KitRunner.run(MeanForMax.class, "scoresAreReducedOverTheGroup");
    assertThat(o.failed()).isTrue();
    assertThat(o.message()).contains("score of KV head", "reference");
  }

  @Test
  void inaccurateOutputIsCaught() {
    Outcome o = KitRunner.run(Noisy.class, "attendMatchesReferenceOnRandomShapesAndWorkingSets");
    assertThat(o.failed()).isTrue();
    assertThat(o.message()).contains("tolerance 1.0E-4 abs + rel for F32 storage");
  }

  @Test
  void undeclaredCapabilityThatWorksAnywayIsCaught() {
    Outcome o = KitRunner.run(SilentUnsupported.class, "undeclaredCapabilitiesFailNamingTheCapability");
    assertThat(o.failed()).isTrue();
    assertThat(o.message()).contains("does not declare EVICTION, so evict must throw UnsupportedOperationException");
  }

  @Test
  void evictionThatKeepsMemoryIsCaught() {
    Outcome o = KitRunner.run(EvictKeepsBytes.class, "evictionFreesResidentBytes");
    assertThat(o.failed()).isTrue();
    assertThat(o.message()).contains("residentBytes after evicting one entry per head");
  }

  @Test
  void closedCacheThatKeepsWorkingIsCaught() {
    Outcome o = KitRunner.run(NoCloseCheck.class, "useAfterCloseThrowsIllegalState");
    assertThat(o.failed()).isTrue();
    assertThat(o.message()).contains("append after close");
  }

  @Test
  void backendThatKeepsClosedCachesIsCaught() {
    Outcome o = KitRunner.run(LeaksClosedCaches.class, "closeReleasesMemory");
    assertThat(o.failed()).isTrue();
    assertThat(o.message()).containsAnyOf("a closed cache must drop its arrays", "a closed cache must free its memory");
  }

  @org.junit.jupiter.api.extension.ExtendWith(RunByKitRunnerOnly.class)
  abstract static class KitOnly extends BaseKvCacheBackendTestCase {}

  /** The suite over the kit's model backend with some capabilities and one flaw. */
  abstract static class WithModelBackend extends KitOnly {
    private final Set<BackendCapability> capabilities;
    private final Flaw flaw;

    WithModelBackend(Set<BackendCapability> capabilities, Flaw flaw) {
      this.capabilities = capabilities;
      this.flaw = flaw;
    }

    @Override
    protected KvCacheBackendProvider provider() {
      return new ModelBackend(capabilities, flaw);
    }
  }

  static class NoCapabilities extends WithModelBackend {
    NoCapabilities() {
      super(Set.of(), Flaw.NONE);
    }
  }

  static class MeanForMax extends WithModelBackend {
    MeanForMax() {
      super(EnumSet.allOf(BackendCapability.class), Flaw.MEAN_FOR_MAX);
    }
  }

  static class Noisy extends WithModelBackend {
    Noisy() {
      super(EnumSet.allOf(BackendCapability.class), Flaw.NOISY_OUTPUT);
    }
  }

  static class SilentUnsupported extends WithModelBackend {
    SilentUnsupported() {
      super(EnumSet.of(BackendCapability.SCORES), Flaw.SILENT_UNSUPPORTED);
    }
  }

  static class EvictKeepsBytes extends WithModelBackend {
    EvictKeepsBytes() {
      super(EnumSet.allOf(BackendCapability.class), Flaw.EVICT_KEEPS_BYTES);
    }
  }

  static class NoCloseCheck extends WithModelBackend {
    NoCloseCheck() {
      super(EnumSet.allOf(BackendCapability.class), Flaw.NO_CLOSE_CHECK);
    }
  }

  static class LeaksClosedCaches extends WithModelBackend {
    LeaksClosedCaches() {
      super(EnumSet.allOf(BackendCapability.class), Flaw.LEAKS_CLOSED_CACHES);
    }

    /** Small cycles (256 KiB of entries each) keep the deliberate leak of 300 of them cheap. */
    @Override
    protected org.recycledattention.api.cache.CacheSpec memoryCycleSpec() {
      return new org.recycledattention.api.cache.CacheSpec(2, 2, 1, 32, 512);
    }
  }

  static class Unavailable extends KitOnly {
    @Override
    protected KvCacheBackendProvider provider() {
      return new KvCacheBackendProvider() {
        @Override
        public String name() {
          return "nowhere";
        }

        @Override
        public String description() {
          return "never available";
        }

        @Override
        public java.util.List<ConfigProperty<?>> properties() {
          return java.util.List.of();
        }

        @Override
        public Availability availability() {
          return Availability.unavailable("no such device");
        }

        @Override
        public Set<BackendCapability> capabilities() {
          return Set.of();
        }

        @Override
        public org.recycledattention.api.cache.KvCacheBackend create(ProviderConfig config) {
          throw new AssertionError("create() of an unavailable backend must not be called by the suite");
        }
      };
    }
  }
}
