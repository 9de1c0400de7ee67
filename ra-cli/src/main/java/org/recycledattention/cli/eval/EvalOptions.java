package org.recycledattention.cli.eval;

import java.util.List;
import java.util.Map;
import org.recycledattention.cli.common.BackendOption;
import org.recycledattention.cli.common.ConfigOptions;
import org.recycledattention.cli.common.EvalSupport;
import org.recycledattention.cli.common.ReportOptions;
import org.recycledattention.cli.common.ThreadsOption;
import org.recycledattention.engine.wiring.RaRuntime;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code ra eval fidelity} and {@code ra eval ruler} share: {@code --policies} compared on the one
 * backend {@code --backend} selects, with the threads, report and configuration flags.
 */
final class EvalOptions {
  @Option(names = "--policies", paramLabel = "NAMES", defaultValue = "full,local,h2o,snapkv,recycled", description = {"Policies (default: ${DEFAULT-VALUE}); an entry may be a variant with its own keys,",
          "name:key=value[:key=value...], e.g. full,recycled:stride=5,recycled:stride=20,recycled:schedule=dynamic:check-interval=5."})
  String policies;

  @Mixin
  ThreadsOption threads;

  @Mixin
  ReportOptions report;

  @Mixin
  ConfigOptions config;

  @Mixin
  BackendOption backend;

  /** The names of {@code --policies}, in order, without repeats. */
  List<String> policyNames() {
    return EvalSupport.names(policies, "--policies");
  }

  /**
   * The command's runtime, with {@code policies} checked on the selected backend before anything starts;
   * the caller closes it.
   */
  RaRuntime runtime(Map<String, String> environment, List<String> policies) {
    RaRuntime runtime = config.runtime(environment, backend.settings(), threads.settings());
    try {
      runtime.checkPolicies(policies);
      return runtime;
    } catch (RuntimeException e) {
      runtime.close();
      throw e;
    }
  }
}
