package org.recycledattention.backend.onnx;

import static java.util.Objects.requireNonNull;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.recycledattention.api.RaException;
import org.recycledattention.api.cache.BackendCapability;
import org.recycledattention.api.cache.CacheSpec;
import org.recycledattention.api.cache.KvCache;
import org.recycledattention.api.cache.KvDtype;
import org.recycledattention.api.cache.support.AbstractKvCacheBackend;
import org.recycledattention.api.config.ConfigException;

/**
 * The configured {@code onnx} backend: the ONNX Runtime environment, one set of session options
 * and the sessions, one per {@link GraphKey}, built on first use and kept until {@link #close()}.
 * A key names a shape family (KV heads, group, head dimension, what scores come out), never a
 * sequence length, so decoding builds no session after its first steps.
 *
 * <p>Thread-safe: sessions are created under the map's per-key lock and {@code OrtSession.run} may
 * be called concurrently.
 */
final class OnnxBackend extends AbstractKvCacheBackend {
  static final String NAME = "onnx";
  static final Set<BackendCapability> CAPABILITIES = Set.of(BackendCapability.SCORES, BackendCapability.PARTIAL_CACHE,
      BackendCapability.EVICTION, BackendCapability.MULTI_QUERY);

  private final OrtEnvironment env;
  private final OnnxSettings settings;
  private final OrtSession.SessionOptions options;
  private final ConcurrentMap<GraphKey, OrtSession> sessions = new ConcurrentHashMap<>();

  private OnnxBackend(OrtEnvironment env, OnnxSettings settings, OrtSession.SessionOptions options) {
    super(NAME, CAPABILITIES, KvDtype.F32);
    this.env = env;
    this.settings = settings;
    this.options = options;
  }

  /**
   * A backend with {@code settings}.
   *
   * @throws ConfigException when the execution provider is not in this ONNX Runtime build
   * @throws RaException when ONNX Runtime refuses the options
   */
  static OnnxBackend create(OnnxSettings settings) {
    requireNonNull(settings, "settings is null");
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    if (settings.executionProvider() == OnnxSettings.ExecutionProvider.CUDA && !OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
      throw new ConfigException("ra.backend.onnx.execution-provider=cuda needs the ONNX Runtime GPU build "
          + "(com.microsoft.onnxruntime:onnxruntime_gpu) on the class path instead of onnxruntime; this build offers "
          + OrtEnvironment.getAvailableProviders() + "; use execution-provider=cpu or swap the jar");
    }
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      if (settings.threads() > 0) {
        options.setIntraOpNumThreads(settings.threads());
      }
      options.setOptimizationLevel(switch (settings.optimization()) {
        case NONE -> OrtSession.SessionOptions.OptLevel.NO_OPT;
        case BASIC -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
        case EXTENDED -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
        case ALL -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
      });
      // every step feeds new sequence lengths: a memory pattern planned for one shape never repeats
      options.setMemoryPatternOptimization(false);
      // graph runs alternate with the engine's own Java kernels: idle ONNX Runtime workers must
      // sleep, not spin on the cores those kernels need (each session has its own pool)
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      if (settings.executionProvider() == OnnxSettings.ExecutionProvider.CUDA) {
        options.addCUDA(0);
      }
    } catch (OrtException | RuntimeException e) {
      options.close();
      throw new RaException("ONNX Runtime refused the session options " + settings + ": " + e.getMessage(), e);
    }
    return new OnnxBackend(env, settings, options);
  }

  @Override
  protected KvCache newCache(CacheSpec spec) {
    return new OnnxKvCache(this, spec);
  }

  OrtEnvironment env() {
    return env;
  }

  OnnxSettings settings() {
    return settings;
  }

  /** The session for {@code key}, built on first use. */
  OrtSession session(GraphKey key) {
    checkOpen();
    OrtSession s = sessions.get(key);
    if (s != null) {
      return s;
    }
    return sessions.computeIfAbsent(key, this::load);
  }

  /** Sessions built so far (tests and diagnostics). */
  int sessionCount() {
    return sessions.size();
  }

  private OrtSession load(GraphKey key) {
    checkOpen();
    byte[] model = Graphs.build(key);
    try {
      return env.createSession(model, options);
    } catch (OrtException e) {
      throw new RaException("ONNX Runtime could not load the " + key.describe() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Closes every session and the session options. The environment is ONNX Runtime's process-wide
   * singleton and stays. Caches should be closed first; their next call fails.
   */
  @Override
  protected void release() {
    List<RuntimeException> failures = new ArrayList<>();
    for (OrtSession s : sessions.values()) {
      try {
        s.close();
      } catch (OrtException | RuntimeException e) {
        failures.add(new RaException("closing an ONNX Runtime session failed: " + e.getMessage(), e));
      }
    }
    sessions.clear();
    options.close();
    if (!failures.isEmpty()) {
      RuntimeException first = failures.getFirst();
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      throw first;
    }
  }
}
