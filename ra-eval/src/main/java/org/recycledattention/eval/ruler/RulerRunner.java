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
import org.recycledattention.eval.bench.JitWarmUp;
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

  /**
   * What every policy wrote for one sample, in the order of the policies.
   *
   * @param sample the generated sample
   * @param length the prompt length asked for
   * @param index the sample's index within its (task, length), from 0
   * @param answers per policy, its label, the text it generated and that text's score
   * @param distances per expected value ({@link TaskSample#answers()}, in order), how many prompt
   *     tokens there are from the value's first occurrence in the prompt to the prompt's end (the
   *     question included): how far back attention must reach for it; -1 where the value is not in
   *     the prompt (answers that are computed, not copied)
   */
  public record AnsweredSample(TaskSample sample, int length, int index, List<PolicyAnswer> answers, List<Integer> distances) {
    public AnsweredSample {
      answers = List.copyOf(answers);
      distances = List.copyOf(distances);
      if (distances.size() != sample.answers().size()) {
        throw new IllegalArgumentException(distances.size() + " distances for " + sample.answers().size() + " expected values");
      }
    }
  }

  /** The text a policy generated for a sample and its {@link TaskSample#score}. */
  public record PolicyAnswer(String policy, String text, double score) {}

  private final LanguageModel model;
  private final Tokenizer tokenizer;
  private final KvCacheBackend backend;
  private final int threads;
  private final boolean fillerNumbers;
  private final boolean jitWarmUp;

  /** @throws ModelFormatException when the model carries no tokenizer (tasks are text) */
  public RulerRunner(LanguageModel model, KvCacheBackend backend, int threads) {
    this(model, backend, threads, false);
  }

  /**
   * @param fillerNumbers numbers in the haystack ({@link RulerGenerator#withFillerNumbers()})
   * @throws ModelFormatException when the model carries no tokenizer (tasks are text)
   */
  public RulerRunner(LanguageModel model, KvCacheBackend backend, int threads, boolean fillerNumbers) {
    this(model, backend, threads, fillerNumbers, false);
  }

  private RulerRunner(LanguageModel model, KvCacheBackend backend, int threads, boolean fillerNumbers, boolean jitWarmUp) {
    this.fillerNumbers = fillerNumbers;
    this.jitWarmUp = jitWarmUp;
    this.model = requireNonNull(model, "model is null");
    this.backend = requireNonNull(backend, "backend is null");
    this.tokenizer = model.tokenizer().orElseThrow(() -> new ModelFormatException(model.source(), -1,
        "the model has no tokenizer; RULER tasks are text, so use a model file that carries one (a GGUF with tokenizer.ggml.*)"));
    this.threads = threads;
  }

  /**
   * This runner, warming the JIT up before its first cell: each policy of the first length answers
   * the first sample of the first task, untimed, until the JIT has been quiet for {@value
   * #WARM_UP_QUIET_MILLIS} ms (at most {@value #WARM_UP_MAX_MILLIS} ms a policy). Without it the
   * first cells' decode speeds time the compiler too: an answer is a few decode steps, and on the
   * probe model the first cell of a policy ran at a quarter to a half of its later speed.
   */
  public RulerRunner withJitWarmUp() {
    return new RulerRunner(model, backend, threads, fillerNumbers, true);
  }

  static final long WARM_UP_QUIET_MILLIS = 300;
  static final long WARM_UP_MAX_MILLIS = 2000;

  /**
   * @param policies for a length, the policies (the one labelled "full" is the speed reference)
   * @param samples samples per task and length
   */
  public List<RulerCell> run(List<RulerTask> tasks, List<Integer> lengths, int samples, long seed, IntFunction<List<RulerPolicy>> policies,
      Consumer<Progress> progress) {
    return run(tasks, lengths, samples, seed, policies, progress, cells -> { });
  }

  /**
   * {@link #run(List, List, int, long, IntFunction, Consumer)}, handing {@code finished} the cells of
   * each (task, length) as soon as every policy has answered its samples (for a partial report if the
   * run is interrupted).
   */
  public List<RulerCell> run(List<RulerTask> tasks, List<Integer> lengths, int samples, long seed, IntFunction<List<RulerPolicy>> policies,
      Consumer<Progress> progress, Consumer<List<RulerCell>> finished) {
    return run(tasks, lengths, samples, seed, policies, progress, finished, answered -> { });
  }

  /**
   * {@link #run(List, List, int, long, IntFunction, Consumer, Consumer)}, handing {@code answered}
   * every sample with what each policy wrote for it (which samples fail, and how), before its
   * progress.
   */
  public List<RulerCell> run(List<RulerTask> tasks, List<Integer> lengths, int samples, long seed, IntFunction<List<RulerPolicy>> policies,
      Consumer<Progress> progress, Consumer<List<RulerCell>> finished, Consumer<AnsweredSample> answered) {
    RulerGenerator plain = new RulerGenerator(s -> tokenizer.encode(s, false).length, seed);
    RulerGenerator generator = fillerNumbers ? plain.withFillerNumbers() : plain;
    List<RulerCell> out = new ArrayList<>();
    if (jitWarmUp && !tasks.isEmpty() && !lengths.isEmpty() && JitWarmUp.available()) {
      int length = lengths.getFirst();
      TaskSample sample = generator.generate(tasks.getFirst(), length - 1, 0, samples);
      GenerationRequest request = new GenerationRequest(tokenizer.encode(sample.prompt(), true),
          tokenizer.encode(sample.answerText(), false).length + 4, SamplingConfig.GREEDY, true, false);
      for (RulerPolicy p : policies.apply(length)) {
        Generator g = new Generator(model, backend, p.factory(), threads);
        JitWarmUp.untilQuiet(() -> {
          g.generate(request, TokenListener.NONE);
          return true;
        }, WARM_UP_QUIET_MILLIS * 1_000_000, WARM_UP_MAX_MILLIS * 1_000_000, Integer.MAX_VALUE);
      }
    }
    for (int length : lengths) {
      List<RulerPolicy> ps = policies.apply(length);
      for (RulerTask task : tasks) {
        double[] score = new double[ps.size()];
        List<FullStepCounter> counters = ps.stream().map(p -> new FullStepCounter(p.factory())).toList();
        double[] decodeMs = new double[ps.size()];
        long[] decoded = new long[ps.size()];
        for (int i = 0; i < samples; i++) {
          TaskSample sample = generator.generate(task, length - 1, i, samples); // -1: BOS
          int[] prompt = tokenizer.encode(sample.prompt(), true);
          int maxTokens = tokenizer.encode(sample.answerText(), false).length + 4;
          List<PolicyAnswer> texts = new ArrayList<>(ps.size());
          for (int p = 0; p < ps.size(); p++) {
            GenerationResult r = new Generator(model, backend, counters.get(p).policy(), threads)
                .generate(new GenerationRequest(prompt, maxTokens, SamplingConfig.GREEDY, true, false), TokenListener.NONE);
            String text = tokenizer.decode(r.tokens());
            double s = sample.score(text);
            score[p] += s;
            texts.add(new PolicyAnswer(ps.get(p).label(), text, s));
            decodeMs[p] += r.stats().decodeMillis();
            decoded[p] += Math.max(0, r.tokens().length - 1); // the first token comes from the prefill
          }
          answered.accept(new AnsweredSample(sample, length, i, texts, distances(sample, prompt.length)));
          progress.accept(new Progress(task, length, i + 1, samples));
        }
        int fullIndex = -1;
        for (int p = 0; p < ps.size(); p++) {
          if (ps.get(p).label().equals("full")) {
            fullIndex = p;
          }
        }
        double fullTps = fullIndex < 0 ? Double.NaN : decoded[fullIndex] / (decodeMs[fullIndex] / 1e3);
        List<RulerCell> cells = new ArrayList<>();
        for (int p = 0; p < ps.size(); p++) {
          double tps = decoded[p] / (decodeMs[p] / 1e3);
          PolicyFactory pf = ps.get(p).factory();
          cells.add(new RulerCell(task.id(), length, ps.get(p).label(), pf.provider().usesBudget() ? pf.config().budget() : 0, samples, 100 * score[p] / samples,
              counters.get(p).fullContextPercent(), tps, tps / fullTps));
        }
        out.addAll(cells);
        finished.accept(List.copyOf(cells));
      }
    }
    return out;
  }

  /** {@link AnsweredSample#distances()}: tokens from each value's first occurrence to the prompt's end. */
  private List<Integer> distances(TaskSample sample, int promptTokens) {
    List<Integer> out = new ArrayList<>(sample.answers().size());
    for (String value : sample.answers()) {
      int at = sample.prompt().indexOf(value);
      out.add(at < 0 ? -1 : promptTokens - tokenizer.encode(sample.prompt().substring(0, at), true).length);
    }
    return out;
  }
}
