package org.recycledattention.cli.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.cli.common.EvalSupport;
import org.recycledattention.cli.common.FinishedCells;
import org.recycledattention.cli.common.Inputs;
import org.recycledattention.cli.common.ModelAccessOptions;
import org.recycledattention.cli.common.Subcommand;
import org.recycledattention.cli.common.UsageException;
import org.recycledattention.engine.decode.GenerationRequest;
import org.recycledattention.engine.decode.Generator;
import org.recycledattention.engine.decode.PolicyFactory;
import org.recycledattention.engine.decode.SamplingConfig;
import org.recycledattention.engine.decode.TokenListener;
import org.recycledattention.engine.wiring.RaRuntime;
import org.recycledattention.eval.fidelity.FidelityRunner;
import org.recycledattention.eval.fidelity.PolicyFidelity;
import org.recycledattention.eval.report.AtomicFiles;
import org.recycledattention.eval.report.Charts;
import org.recycledattention.eval.report.MarkdownTable;
import org.recycledattention.eval.ruler.RulerGenerator;
import org.recycledattention.eval.ruler.RulerPolicy;
import org.recycledattention.eval.ruler.RulerTask;
import org.recycledattention.eval.ruler.TaskSample;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.model.tokenizer.Tokenizer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ra eval fidelity}: every policy decodes one stream teacher-forced; compared with full attention step by step. */
@Command(name = "fidelity", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Fidelity to full attention: every policy decodes the same token stream, teacher-forced.",
        "Per policy: top-1 agreement with full attention, mean and max KL(full || policy), perplexity of the stream,",
        "tokens attended per step, share of full steps."})
public final class EvalFidelityCommand extends Subcommand {
  @Option(names = "--model", required = true, paramLabel = "FILE|synthetic:SPEC", description = "A model file or a synthetic:SPEC.")
  String model;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Stream stream;

  /** Where the token stream comes from. */
  static final class Stream {
    @Option(names = "--prompt-ids", paramLabel = "IDS", description = "The stream as comma-separated token ids.")
    String ids;

    @Option(names = "--text-file", paramLabel = "FILE", description = "The stream: a UTF-8 text file, encoded with the model's tokenizer (BOS added).")
    Path textFile;

    @Option(names = "--sample", paramLabel = "N", description = "The stream: N tokens sampled from the model with full attention (temperature 1) from BOS.")
    Integer sample;

    @Option(names = "--task", paramLabel = "TASK", description = {"The streams: --samples RULER-style samples of TASK (e.g. niah_single) at --length tokens",
        "for the model's tokenizer, each its prompt followed by the answer and EOS; results are pooled over the streams."})
    String task;
  }

  @Option(names = "--length", paramLabel = "N", description = "With --task: prompt length in tokens (default: 1024).")
  Integer length;

  @Option(names = "--samples", paramLabel = "M", description = "With --task: how many samples, needle depths swept uniformly (default: 4).")
  Integer samples;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of --sample (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--prefill", paramLabel = "P", description = "Tokens of the stream fed as the prompt before the compared steps (default: a quarter of it).")
  Integer prefill;

  @Mixin
  EvalOptions eval;

  @Mixin
  ModelAccessOptions access;

  public EvalFidelityCommand(Map<String, String> environment) {
    super(environment);
  }

  @Override
  protected int run() {
    List<String> names = eval.policyNames();
    if (stream.sample != null && stream.sample < 3) {
      throw new UsageException("invalid value '" + stream.sample + "' for --sample: expected at least 3 tokens");
    }
    RulerTask task = stream.task == null ? null : RulerTask.of(stream.task);
    if (task == null && (length != null || samples != null)) {
      throw new UsageException("--length and --samples describe --task streams; add --task TASK or leave them out");
    }
    int taskLength = length == null ? 1024 : length;
    int taskSamples = samples == null ? 4 : samples;
    if (taskLength < 16 || taskSamples < 1) {
      throw new UsageException("invalid --length " + taskLength + " or --samples " + taskSamples + ": expected a length >= 16 and at least 1 sample");
    }
    List<Path> inputs = new ArrayList<>(EvalSupport.checkModel(model));
    if (stream.textFile != null) {
      inputs.add(stream.textFile);
    }
    eval.report.check("fidelity", inputs);
    try (RaRuntime runtime = eval.runtime(environment, EvalSupport.baseNames(names))) {
      int budget = runtime.config().budget();
      List<RulerPolicy> policies = names.stream().map(p -> EvalSupport.variant(runtime, p, budget)).toList(); // every key checked before any work
      String backendName = runtime.config().backendName();
      try (LanguageModel lm = EvalSupport.loadModel(model, access.access())) {
        KvCacheBackend kv = runtime.backend();
        PolicyFactory full = runtime.policyFactory("full", budget);
        List<int[]> streams = task != null ? taskStreams(lm, task, taskLength, taskSamples) : List.of(stream(lm, kv, full, runtime.threads()));
        int[] prefills = new int[streams.size()];
        long compared = 0;
        for (int i = 0; i < prefills.length; i++) {
          int n = streams.get(i).length;
          prefills[i] = prefill != null ? prefill : Math.max(1, n / 4);
          if (prefills[i] < 1 || prefills[i] > n - 2) {
            throw new UsageException("--prefill " + prefills[i] + " leaves no step to compare in a stream of " + n + " tokens; expected 1.." + (n - 2));
          }
          compared += n - prefills[i] - 1;
        }
        List<PolicyFactory> factories = policies.stream().map(RulerPolicy::factory).toList();
        List<List<PolicyFidelity>> perStream = new ArrayList<>();
        // a stream is one cell of the partial report: its policies' fidelity, combined with the other finished streams
        FinishedCells<List<PolicyFidelity>> finished = new FinishedCells<>();
        status.partialReport(finished.partialReport(eval.report.dir(), "fidelity", "Fidelity to full attention", s -> table(combine(s)),
            s -> Map.of("streams", s.size(), "cells", combine(s)), out()));
        try (ProgressBar bar = EvalSupport.progress("fidelity", compared)) {
          long[] done = {0};
          long total = compared;
          for (int i = 0; i < streams.size(); i++) {
            List<PolicyFidelity> ran = new FidelityRunner(lm, kv, runtime.threads()).run(full, factories, streams.get(i), prefills[i], step -> {
              bar.step();
              status.update(++done[0] + " of " + total + " compared steps");
            });
            List<PolicyFidelity> one = new ArrayList<>();
            for (int p = 0; p < ran.size(); p++) {
              one.add(ran.get(p).labelled(policies.get(p).label()));
            }
            perStream.add(one);
            finished.add(List.of(one));
          }
        }
        if (!status.workDone()) {
          return 1; // interrupted: the shutdown hook has written the partial report
        }
        List<PolicyFidelity> result = combine(perStream);
        int tokenCount = streams.stream().mapToInt(t -> t.length).sum();
        int prefillCount = Arrays.stream(prefills).sum();
        String table = table(result);
        out().println(eval.report.json() ? EvalSupport.json(result) : table);
        if (eval.report.dir() != null) {
          String how = task != null ? "--task " + task.id() + " --length " + taskLength + " --samples " + taskSamples + " --seed " + seed
              : stream.sample != null ? "--sample " + stream.sample + " --seed " + seed : stream.textFile != null ? "--text-file " + stream.textFile : "--prompt-ids ...";
          String command = "ra eval fidelity --model " + model + " " + how + " --policies " + eval.policies + " --budget " + budget + " --backend " + backendName;
          EvalSupport.writeJson(eval.report.dir().resolve("fidelity.json"), result);
          AtomicFiles.writeString(eval.report.dir().resolve("fidelity.md"), "# Fidelity to full attention\n\nModel: `" + lm.description() + "`; " + streams.size() + " stream(s) of "
              + tokenCount + " tokens in all, " + prefillCount + " of them prompts; budget " + budget + "\n\nCommand: `" + command + "`\n\n" + table);
          double[][] values = new double[2][result.size()];
          for (int i = 0; i < result.size(); i++) {
            values[0][i] = result.get(i).agreement();
            values[1][i] = result.get(i).meanKl();
          }
          Charts.barChart(eval.report.dir().resolve("fidelity.png"), "Fidelity to full attention (budget " + budget + ")", "agreement / mean KL (nats)",
              result.stream().map(PolicyFidelity::policy).toList(), List.of("top-1 agreement", "mean KL(full || policy)"), values);
          err().println("wrote " + eval.report.dir().resolve("fidelity.json") + ", fidelity.md, fidelity.png");
        }
      }
    }
    return 0;
  }

  /** RULER-style samples, each BOS + prompt + answer + EOS, with the generator of {@code ra eval ruler} and --seed. */
  private List<int[]> taskStreams(LanguageModel lm, RulerTask task, int promptLength, int count) {
    Tokenizer t = lm.tokenizer().orElseThrow(() -> new UsageException("model '" + model + "' carries no tokenizer; --task streams are text, so use a model file that carries one"));
    RulerGenerator generator = new RulerGenerator(s -> t.encode(s, false).length, seed);
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      TaskSample sample = generator.generate(task, promptLength - 1, i, count); // -1: BOS
      int[] tokens = t.encode(sample.prompt() + sample.answerText(), true);
      if (t.eos() >= 0) {
        tokens = Arrays.copyOf(tokens, tokens.length + 1);
        tokens[tokens.length - 1] = t.eos();
      }
      if (tokens.length > lm.shape().contextLength()) {
        throw new UsageException("--length " + promptLength + " makes streams of " + tokens.length + " tokens, longer than the model's context length "
            + lm.shape().contextLength());
      }
      out.add(tokens);
    }
    return out;
  }

  private int[] stream(LanguageModel lm, KvCacheBackend backend, PolicyFactory full, int threads) {
    int[] tokens;
    if (stream.ids != null) {
      tokens = Inputs.parseIds(stream.ids);
    } else if (stream.textFile != null) {
      Tokenizer t = lm.tokenizer().orElseThrow(() -> new UsageException("model '" + model + "' carries no tokenizer; pass --prompt-ids or --sample instead of --text-file"));
      String text;
      try {
        text = Files.readString(stream.textFile, StandardCharsets.UTF_8);
      } catch (IOException | UncheckedIOException e) {
        throw new UsageException("cannot read --text-file '" + stream.textFile + "': " + e.getMessage() + "; pass a readable UTF-8 text file");
      }
      tokens = t.encode(text, true);
    } else {
      int bos = lm.tokenizer().map(Tokenizer::bos).filter(b -> b >= 0).orElse(1);
      int n = stream.sample;
      if (n > lm.shape().contextLength()) {
        throw new UsageException("--sample " + n + " is longer than the model's context length " + lm.shape().contextLength());
      }
      var r = new Generator(lm, backend, full, threads).generate(new GenerationRequest(new int[] {bos}, n - 1, new SamplingConfig(1, 0, 1, seed), false, false),
          TokenListener.NONE);
      tokens = new int[n];
      tokens[0] = bos;
      System.arraycopy(r.tokens(), 0, tokens, 1, r.tokens().length);
    }
    int vocab = lm.config().vocabSize();
    for (int id : tokens) {
      if (id < 0 || id >= vocab) {
        throw new UsageException("token id " + id + " of the stream is outside the model's vocabulary (0.." + (vocab - 1) + ")");
      }
    }
    if (tokens.length < 3) {
      throw new UsageException("the stream has " + tokens.length + " tokens; fidelity needs at least 3");
    }
    return tokens;
  }

  /** Each policy's fidelity over every stream of {@code perStream} (one list of policies per stream). */
  private static List<PolicyFidelity> combine(List<List<PolicyFidelity>> perStream) {
    List<PolicyFidelity> result = new ArrayList<>();
    if (perStream.isEmpty()) {
      return result;
    }
    for (int p = 0; p < perStream.getFirst().size(); p++) {
      int index = p;
      result.add(PolicyFidelity.combine(perStream.stream().map(r -> r.get(index)).toList()));
    }
    return result;
  }

  static String table(List<PolicyFidelity> result) {
    MarkdownTable t = new MarkdownTable("policy", ">steps", ">top-1 agreement", ">mean KL", ">max KL", ">perplexity", ">tokens attended", ">full steps");
    for (PolicyFidelity f : result) {
      t.row(f.policy(), f.steps(), EvalSupport.fmt(100 * f.agreement(), 1) + "%", EvalSupport.fmt(f.meanKl(), 4), EvalSupport.fmt(f.maxKl(), 3),
          EvalSupport.fmt(f.perplexity(), 3), EvalSupport.fmt(f.meanTokensAttended(), 1), EvalSupport.fmt(100 * f.fullStepShare(), 1) + "%");
    }
    return t.toMarkdown();
  }
}
