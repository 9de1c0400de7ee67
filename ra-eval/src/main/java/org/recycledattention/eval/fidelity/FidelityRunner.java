package org.recycledattention.eval.fidelity;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.engine.decode.GenerationStats;
import org.recycledattention.engine.decode.PolicyFactory;
import org.recycledattention.engine.decode.Session;
import org.recycledattention.eval.metrics.FidelityAccumulator;
import org.recycledattention.model.llama.LanguageModel;

/**
 * Runs full attention and every policy over one stream, teacher-forced, in lock step.
 *
 * <p>The first {@code prefill} tokens are the prompt (full attention for every policy); each later
 * token is fed as a decode step, and the logits after it are compared. Thread-safe: every {@link
 * #run} has its own sessions.
 */
public final class FidelityRunner {
  private final LanguageModel model;
  private final KvCacheBackend backend;
  private final int threads;

  public FidelityRunner(LanguageModel model, KvCacheBackend backend, int threads) {
    this.model = requireNonNull(model, "model is null");
    this.backend = requireNonNull(backend, "backend is null");
    this.threads = threads;
  }

  /**
   * @param full full attention (the reference)
   * @param policies the policies to compare (full may be among them: it then scores agreement 1, KL 0)
   * @param stream the token stream, at least {@code prefill + 2} tokens
   * @param prefill prompt tokens before the first compared step, >= 1
   * @param onStep called with the step index after each compared step (progress)
   */
  public List<PolicyFidelity> run(PolicyFactory full, List<PolicyFactory> policies, int[] stream, int prefill, IntConsumer onStep) {
    if (prefill < 1 || stream.length < prefill + 2) {
      throw new IllegalArgumentException("the stream needs at least prefill + 2 = " + (prefill + 2) + " tokens, got " + stream.length);
    }
    int vocab = model.config().vocabSize();
    List<Session> sessions = new ArrayList<>();
    try {
      Session reference = new Session(model, backend, full, threads, stream.length);
      sessions.add(reference);
      for (PolicyFactory p : policies) {
        sessions.add(new Session(model, backend, p, threads, stream.length));
      }
      int[] prompt = Arrays.copyOf(stream, prefill);
      for (Session s : sessions) {
        s.prefill(prompt);
      }
      List<FidelityAccumulator> acc = new ArrayList<>();
      for (int i = 0; i < policies.size(); i++) {
        acc.add(new FidelityAccumulator(vocab));
      }
      int steps = stream.length - prefill - 1;
      for (int i = 0; i < steps; i++) {
        int token = stream[prefill + i];
        int next = stream[prefill + i + 1];
        float[] fullLogits = reference.step(token);
        for (int p = 0; p < policies.size(); p++) {
          acc.get(p).add(fullLogits, sessions.get(p + 1).step(token), next);
        }
        onStep.accept(i);
      }
      List<PolicyFidelity> out = new ArrayList<>();
      for (int p = 0; p < policies.size(); p++) {
        FidelityAccumulator a = acc.get(p);
        GenerationStats st = sessions.get(p + 1).stats();
        long layerSteps = st.fullSteps() + st.partialSteps();
        out.add(new PolicyFidelity(policies.get(p).name(), a.steps(), a.agreement(), a.meanKl(), a.maxKl(), a.perplexity(), st.meanTokensAttended(),
            layerSteps == 0 ? 0 : (double) st.fullSteps() / layerSteps));
      }
      return out;
    } finally {
      for (Session s : sessions) {
        s.close();
      }
    }
  }
}
