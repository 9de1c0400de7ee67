package org.recycledattention.examples.embed;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import org.recycledattention.api.RaException;
import org.recycledattention.engine.decode.Cancellation;
import org.recycledattention.engine.decode.GenerationStats;
import org.recycledattention.inference.Completion;
import org.recycledattention.inference.CompletionRequest;
import org.recycledattention.inference.Engine;
import org.recycledattention.inference.PolicyOverrides;
import org.recycledattention.probe.ShippedProbe;

/**
 * The engine in an application, start to end: load a model, choose the policy and the backend by
 * configuration, stream text, stop at a stop string, cancel, read the statistics. The README's "Use
 * as a library" walks through it.
 */
public final class EmbedExample {

  private EmbedExample() {}

  public static void main(String[] args) {
    try {
      run(args.length > 0 ? Path.of(args[0]) : null, System.out);
    } catch (RaException e) {
      // every engine error is one line that says what to do (a missing JVM flag, a bad key, a bad
      // file)
      System.err.println(e.getMessage());
      System.exit(e.exitCode());
    }
  }

  /** Runs the example on {@code model} (null: the built-in probe), printing to {@code out}. */
  static void run(Path model, PrintStream out) {
    // 1. Load a model; policy, budget and backend are the same keys as the command line's flags.
    Engine.Builder builder =
        Engine.builder()
            .policy("recycled")
            .budget(64)
            .backend("cpu")
            .set("ra.policy.recycled.stride", "5");
    if (model != null) {
      builder.model(model);
    }
    try (Engine engine = builder.build()) {
      out.println(
          "model "
              + engine.modelName()
              + ", policy "
              + engine.policyName()
              + ", budget "
              + engine.budget());

      // 2. Generate, streaming text pieces as they are final (whole UTF-8 characters, never part of
      // a stop string).
      Completion answer =
          engine.complete(
              CompletionRequest.text(ShippedProbe.NEEDLE_PROMPT).withMaxTokens(16),
              piece -> {
                out.print(piece);
                out.flush();
              });
      out.println();
      out.println(
          "finish: " + answer.finishReason() + ", " + answer.completionTokens() + " tokens");

      // 3. Stop strings: the text ends before the first one.
      Completion stopped =
          engine.complete(CompletionRequest.text(ShippedProbe.NEEDLE_PROMPT).withMaxTokens(16).withStop("58"));
      out.println("stopped at \"58\": [" + stopped.text() + "] " + stopped.finishReason());

      // 4. Another policy for one request only (full attention, as the reference).
      Completion full =
          engine.complete(
              CompletionRequest.text(ShippedProbe.NEEDLE_PROMPT)
                  .withMaxTokens(16)
                  .withPolicy(PolicyOverrides.policy("full")));
      out.println("full attention: [" + full.text() + "]");

      // 5. Cancellation: from the callback here; from any thread in general.
      Cancellation cancel = new Cancellation();
      int[] pieces = {0};
      Completion cancelled =
          engine.complete(
              CompletionRequest.text(ShippedProbe.NEEDLE_PROMPT).withMaxTokens(500).withIgnoreEos(true),
              piece -> {
                if (++pieces[0] == 3) {
                  cancel.cancel();
                }
              },
              cancel);
      out.println(
          "cancelled after "
              + cancelled.completionTokens()
              + " tokens: "
              + cancelled.finishReason());

      // 6. Statistics of a generation (decode excludes the prefill, as in the paper).
      GenerationStats s = answer.stats();
      out.println(
          String.format(
              Locale.ROOT,
              "prefill %.1f ms, decode %.1f tokens/s, %d full and %d partial layer-steps, %.1f"
                  + " tokens attended per step",
              s.prefillMillis(),
              s.decodeTokensPerSecond(),
              s.fullSteps(),
              s.partialSteps(),
              s.meanTokensAttended()));
    }
  }
}
