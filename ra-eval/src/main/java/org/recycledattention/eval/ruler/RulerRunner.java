package org.recycledattention.eval.ruler;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.engine.decode.GenerationRequest;
import org.recycledattention.engine.decode.GenerationResult;
import org.recycledattention.engine.decode.Generator;
import org.recycledattention.engine.decode.PolicyFactory;
import org.recycledattention.engine.decode.SamplingConfig;
import org.recycledattention.engine.decode.TokenListener;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.model.tokenizer.Tokenizer;

/**
 * Runs RULER-style tasks: every policy answers the same generated samples greedily; answers are
 * scored with {@link TaskSample#score}. Thread-safe per call.
 */
public final class RulerRunner {
  /** One finished (task, length, sample) across all policies. */
  public record Progress(RulerTask task, int length, int sample, int samples) {}

  private final LanguageModel model;
  private final Tokenizer tokenizer;
  private final KvCacheBackend backend;
  private final int threads;

  /** @throws ModelFormatException when the model carries no tokenizer (tasks are text) */
  public RulerRunner(LanguageModel model, KvCacheBackend backend, int threads) {
    this.model = requireNonNull(model, "model is null");
    this.backend = requireNonNull(backend, "backend is null");
    this.tokenizer = model.tokenizer().orElseThrow(() -> new ModelFormatException(model.source(), -1,
        "the model has no tokenizer; RULER tasks are text, so use a model file that carries one (a GGUF with tokenizer.ggml.*)"));
    this.threads = threads;
  }

  /**
   * @param policies for a length, the policies (the one named "full" is the speed reference)
   * @param samples samples per task and length
   */
  public List<RulerCell> run(List<RulerTask> tasks, List<Integer> lengths, int samples, long seed, IntFunction<List<PolicyFactory>> policies,
      Consumer<Progress> progress) {
    return run(tasks, lengths, samples, seed, policies, progress, cells -> { });
  }

  /**
   * {@link #run(List, List, int, long, IntFunction, Consumer)}, handing {@code finished} the cells of
   * each (task, length) as soon as every policy has answered its samples (for a partial report if the
   * run is interrupted).
   */
  public List<RulerCell> run(List<RulerTask> tasks, List<Integer> lengths, int samples, long seed, IntFunction<List<PolicyFactory>> policies,
      Consumer<Progress> progress, Consumer<List<RulerCell>> finished) {
    RulerGenerator generator = new RulerGenerator(s -> tokenizer.encode(s, false).length, seed);
    List<RulerCell> out = new ArrayList<>();
    for (int length : lengths) {
      List<PolicyFactory> ps = policies.apply(length);
      for (RulerTask task : tasks) {
        double[] score = new double[ps.size()];
        double[] decodeMs = new double[ps.size()];
        long[] decoded = new long[ps.size()];
        for (int i = 0; i < samples; i++) {
          TaskSample sample = generator.generate(task, length - 1, i, samples); // -1: BOS
          int[] prompt = tokenizer.encode(sample.prompt(), true);
          int maxTokens = tokenizer.encode(sample.answerText(), false).length + 4;
          for (int p = 0; p < ps.size(); p++) {
            GenerationResult r = new Generator(model, backend, ps.get(p), threads)
                .generate(new GenerationRequest(prompt, maxTokens, SamplingConfig.GREEDY, true, false), TokenListener.NONE);
            score[p] += sample.score(tokenizer.decode(r.tokens()));
            decodeMs[p] += r.stats().decodeMillis();
            decoded[p] += Math.max(0, r.tokens().length - 1); // the first token comes from the prefill
          }
          progress.accept(new Progress(task, length, i + 1, samples));
        }
        int fullIndex = -1;
        for (int p = 0; p < ps.size(); p++) {
          if (ps.get(p).name().equals("full")) {
            fullIndex = p;
          }
        }
        double fullTps = fullIndex < 0 ? Double.NaN : decoded[fullIndex] / (decodeMs[fullIndex] / 1e3);
        List<RulerCell> cells = new ArrayList<>();
        for (int p = 0; p < ps.size(); p++) {
          double tps = decoded[p] / (decodeMs[p] / 1e3);
          PolicyFactory pf = ps.get(p);
          cells.add(new RulerCell(task.id(), length, pf.name(), pf.provider().usesBudget() ? pf.config().budget() : 0, samples, 100 * score[p] / samples, tps,
              tps / fullTps));
        }
        out.addAll(cells);
        finished.accept(List.copyOf(cells));
      }
    }
    return out;
  }
}
