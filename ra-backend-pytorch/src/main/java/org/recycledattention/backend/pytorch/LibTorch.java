package org.recycledattention.backend.pytorch;

import static java.util.Objects.requireNonNull;

import ai.djl.engine.Engine;
import java.util.ArrayList;
import java.util.List;
import org.recycledattention.api.provider.Availability;

/**
 * Loads DJL's PyTorch engine once, lazily, and remembers the outcome (success or the reason for
 * failure). Loading never throws and never takes the JVM down: every {@link Throwable} from DJL or
 * the dynamic linker becomes an unavailable {@link Availability}.
 *
 * <h2>Offline natives</h2>
 * DJL finds libtorch in {@code native/lib/pytorch.properties} of the {@code pytorch-native-*} jar on
 * the class path, extracts the libraries named there into {@code ~/.djl.ai/pytorch/<version>-<flavor>-
 * <classifier>/} (or {@code ENGINE_CACHE_DIR}) and the JNI glue from the {@code pytorch-jni} jar next
 * to them, then loads them. It only downloads when no native jar is on the class path, when the JNI
 * jar does not match, or when {@code PYTORCH_VERSION} asks for another version. Before the engine is
 * first touched this class sets {@code ai.djl.offline=true} (unless the user set the property or
 * {@code DJL_OFFLINE}), so any of those cases fails with DJL's "Offline mode is enabled" instead of a
 * network access, and the reason reaches the user through {@link #state()}.
 *
 * <p>Thread-safe.
 */
final class LibTorch {
  /** DJL's name of the engine. */
  static final String ENGINE = "PyTorch";
  static final String OFFLINE_PROPERTY = "ai.djl.offline";
  static final String OFFLINE_ENV = "DJL_OFFLINE";

  /** Where the engine comes from: DJL in production, a stand-in in tests. */
  @FunctionalInterface
  interface EngineLoader {
    Engine load();
  }

  /** The outcome of loading: the engine and what it runs on, or why it could not load. */
  record State(Engine engine, Availability availability, boolean cuda, int gpus) {
    boolean loaded() {
      return engine != null;
    }
  }

  private final EngineLoader loader;
  private State state; // guarded by this

  LibTorch(EngineLoader loader) {
    this.loader = requireNonNull(loader, "loader is null");
  }

  /** DJL's PyTorch engine, loaded offline. */
  static LibTorch djl() {
    return new LibTorch(() -> Engine.getEngine(ENGINE));
  }

  /** Loads the engine on first call; later calls return the first outcome. Never throws. */
  synchronized State state() {
    if (state == null) {
      state = load();
    }
    return state;
  }

  private State load() {
    try {
      preferOffline();
      Engine engine = loader.load();
      if (engine == null) {
        return failed("DJL returned no " + ENGINE + " engine");
      }
      boolean cuda = engine.hasCapability("CUDA");
      int gpus = cuda ? Math.max(0, engine.getGpuCount()) : 0;
      String detail = "libtorch " + engine.getVersion() + (cuda
          ? (gpus > 0 ? " cuda (" + gpus + (gpus == 1 ? " GPU)" : " GPUs)") : " cuda build, no GPU visible (runs on cpu)")
          : " cpu");
      return new State(engine, Availability.available(detail), cuda, gpus);
    } catch (Throwable t) { // NOPMD: UnsatisfiedLinkError, EngineException, AssertionError from DJL's loader ...
      return failed("libtorch failed to load: " + describe(t)
          + "; needs ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-x86_64 and ai.djl.pytorch:pytorch-jni:2.7.1-0.36.0 on the class path");
    }
  }

  private static State failed(String reason) {
    return new State(null, Availability.unavailable(reason), false, 0);
  }

  /** Sets {@code ai.djl.offline=true} unless the user decided (property or environment). */
  static void preferOffline() {
    if (System.getProperty(OFFLINE_PROPERTY) == null && System.getenv(OFFLINE_ENV) == null) {
      System.setProperty(OFFLINE_PROPERTY, "true");
    }
  }

  /** One line: each distinct message along the cause chain. */
  static String describe(Throwable t) {
    List<String> parts = new ArrayList<>();
    for (Throwable c = t; c != null && parts.size() < 5; c = c.getCause() == c ? null : c.getCause()) {
      String m = c.getMessage();
      String part = c.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m.strip());
      if (parts.isEmpty() || !parts.getLast().endsWith(String.valueOf(m))) {
        parts.add(part);
      }
    }
    return String.join(" <- ", parts).replaceAll("\\s+", " ");
  }
}
