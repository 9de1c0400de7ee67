package org.recycledattention.cli.generate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.recycledattention.cli.common.ConfigOptions;
import org.recycledattention.cli.common.Inputs;
import org.recycledattention.cli.common.Json;
import org.recycledattention.cli.common.ModelAccessOptions;
import org.recycledattention.cli.common.SelectionOptions;
import org.recycledattention.cli.common.Subcommand;
import org.recycledattention.cli.common.ThreadsOption;
import org.recycledattention.cli.common.UsageException;
import org.recycledattention.cli.serve.ChatTemplates;
import org.recycledattention.engine.decode.Cancellation;
import org.recycledattention.engine.decode.FinishReason;
import org.recycledattention.engine.decode.GenerationRequest;
import org.recycledattention.engine.decode.GenerationResult;
import org.recycledattention.engine.decode.GenerationStats;
import org.recycledattention.engine.decode.Generator;
import org.recycledattention.engine.decode.SamplingConfig;
import org.recycledattention.engine.decode.TokenListener;
import org.recycledattention.engine.wiring.Models;
import org.recycledattention.engine.wiring.RaRuntime;
import org.recycledattention.inference.chat.ChatFormatter;
import org.recycledattention.inference.chat.ChatMessage;
import org.recycledattention.inference.chat.ChatTemplate;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.model.tokenizer.Tokenizer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ra generate}: decodes from a prompt with the selected policy and backend, streaming text
 * (or ids, for a model without a tokenizer) to stdout, or printing one JSON object with {@code
 * --json}. Every input is checked before the model is loaded.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Generate tokens from a prompt with the selected attention policy and KV-cache backend.",
        "Text streams to stdout as it is generated (token ids for a model without a tokenizer); a summary goes to stderr."})
public final class GenerateCommand extends Subcommand {
  @Option(names = "--model", required = true, paramLabel = "FILE",
      description = "A GGUF file, a llama2.c .bin (tokenizer.bin beside it is used), or a Hugging Face safetensors directory.")
  Path model;

  @ArgGroup(exclusive = true, multiplicity = "1")
  PromptSource prompt;

  /** Exactly one prompt source. */
  static final class PromptSource {
    @Option(names = "--prompt", paramLabel = "TEXT", description = "Prompt text (needs a model with a tokenizer; BOS is added as the model asks).")
    String text;

    @Option(names = "--prompt-file", paramLabel = "FILE", description = "Read the prompt text from a UTF-8 file (one trailing newline is dropped).")
    Path file;

    @Option(names = "--prompt-ids", paramLabel = "IDS", description = "The prompt as comma-separated token ids, e.g. 1,2,3 (BOS is not added).")
    String ids;
  }

  @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "256", description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--temperature", paramLabel = "T", defaultValue = "0", description = "0 = greedy (default), else sample at this temperature.")
  double temperature;

  @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "Sample from the K most likely tokens; 0 = all (default).")
  int topK;

  @Option(names = "--top-p", paramLabel = "P", defaultValue = "1", description = "Sample from the smallest set reaching probability P; 1 = all (default).")
  double topP;

  @Option(names = "--seed", paramLabel = "S", description = "Seed of the sampler (default: random when sampling, shown in the summary and the JSON stats).")
  Long seed;

  @Mixin
  ThreadsOption threads;

  @Option(names = "--ignore-eos", description = "Do not stop at the end-of-sequence token.")
  boolean ignoreEos;

  @Option(names = "--allow-context-overflow", description = "Allow prompt + max tokens to exceed the model's context length.")
  boolean allowContextOverflow;

  @Option(names = "--json", description = "Print one JSON object (prompt_ids, tokens, text, stats) instead of streaming.")
  boolean json;

  @Option(names = "--warm-up", paramLabel = "N", defaultValue = "0",
      description = {"First decode N throwaway tokens (from the prompt's first tokens, not shown), so that the reported decode speed",
          "is the compiled code's, not the JIT's warm-up; 0 (default): the decode speed includes the warm-up, and the summary says so."})
  int warmUp;

  @Option(names = "--stop", paramLabel = "TEXT",
      description = "Stop before this text appears in the output (repeatable).")
  List<String> stops = new ArrayList<>();

  @Option(names = "--chat", description = {"The prompt is a user message: format it with the model's chat template",
      "(tokenizer.chat_template; a plain 'role: content' transcript when the model has none), as ra serve does."})
  boolean chat;

  @Option(names = "--system", paramLabel = "TEXT", description = "With --chat: a system message before the user's.")
  String system;

  @Option(names = "--chat-template", paramLabel = "FILE",
      description = "With --chat: use this Jinja chat template instead of the model's.")
  Path chatTemplate;

  @Mixin
  ConfigOptions config;

  @Mixin
  SelectionOptions selection;

  @Mixin
  ModelAccessOptions access;

  public GenerateCommand(Map<String, String> environment) {
    super(environment);
  }

  @Override
  protected int run() {
    // Everything the user typed is checked before any provider, backend or model is touched.
    if (maxTokens < 1) {
      throw new UsageException("invalid value '" + maxTokens + "' for --max-tokens: expected an integer >= 1");
    }
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new UsageException("invalid value '" + temperature + "' for --temperature: expected a number >= 0 (0 = greedy)");
    }
    if (topK < 0) {
      throw new UsageException("invalid value '" + topK + "' for --top-k: expected an integer >= 0 (0 = no limit)");
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new UsageException("invalid value '" + topP + "' for --top-p: expected a number in (0, 1] (1 = no limit)");
    }
    if (warmUp < 0) {
      throw new UsageException("invalid value '" + warmUp + "' for --warm-up: expected an integer >= 0 (0 = no warm-up)");
    }
    for (String stop : stops) {
      if (stop.isEmpty()) {
        throw new UsageException("--stop is empty; give the text to stop at");
      }
    }
    if (!chat && (system != null || chatTemplate != null)) {
      throw new UsageException(
          (system != null ? "--system" : "--chat-template") + " only applies to --chat; add --chat");
    }
    if (chat && prompt.ids != null) {
      throw new UsageException("--chat formats a text prompt; pass --prompt or --prompt-file instead of --prompt-ids");
    }
    Inputs.checkModelPath(model);
    ChatTemplate template = chatTemplate == null ? null : ChatTemplates.read(chatTemplate);
    Optional<String> promptText = promptText();
    int[] promptIds = prompt.ids == null ? null : Inputs.parseIds(prompt.ids);
    // Greedy decoding ignores the seed: keep it fixed so that --json output is reproducible.
    long usedSeed = seed != null ? seed : temperature > 0 ? ThreadLocalRandom.current().nextLong() : 0;
    SamplingConfig sampling = new SamplingConfig(temperature, topK, topP, usedSeed);

    try (RaRuntime runtime = config.runtime(environment, selection.settings(), threads.settings())) {
      runtime.checkSelection();
      try (LanguageModel lm = Models.load(model, access.access())) {
        Optional<Tokenizer> tokenizer = lm.tokenizer();
        if (!stops.isEmpty() && tokenizer.isEmpty()) {
          throw new UsageException("--stop needs a model with a tokenizer; model '" + model + "' carries none");
        }
        int[] ids = promptIds != null ? checkIds(promptIds, lm)
            : chat ? chatIds(promptText.orElseThrow(), tokenizer, lm, template)
            : encode(promptText.orElseThrow(), tokenizer);
        long needed = (long) ids.length + maxTokens;
        int context = lm.shape().contextLength();
        if (needed > context && !allowContextOverflow) {
          throw new UsageException("the prompt (" + ids.length + " tokens) plus --max-tokens " + maxTokens + " is " + needed
              + " positions, beyond the model's context length " + context + "; lower --max-tokens, shorten the prompt, or pass --allow-context-overflow");
        }
        Generator generator = new Generator(lm, runtime.backend(), runtime.policyFactory(), runtime.threads());
        GenerationRequest request = new GenerationRequest(ids, maxTokens, sampling, !ignoreEos, allowContextOverflow,
            stops, new Cancellation());
        if (warmUp > 0) {
          // untimed and unseen: compiles the decode path (prefill of a few tokens, then warmUp steps)
          status.update("warming up");
          int[] head = Arrays.copyOf(ids, Math.min(ids.length, 8));
          generator.generate(new GenerationRequest(head, warmUp, SamplingConfig.GREEDY, false, true), TokenListener.NONE);
        }
        if (json) {
          GenerationResult result = generator.generate(request, counting(TokenListener.NONE));
          out().println(new Json().write(toJson(result, runtime, usedSeed)));
        } else {
          PrintWriter out = out();
          GenerationResult result = tokenizer.isPresent()
              ? generator.generate(request, counting(TokenListener.NONE), text -> {
                out.print(text);
                out.flush();
              })
              : generator.generate(request, counting(idStreamer(out)));
          out.println();
          out.flush();
          err().println(summary(result, runtime, usedSeed));
        }
        return 0;
      }
    }
  }

  /** {@code listener}, also keeping the status line (printed on Ctrl-C) at the number of tokens generated. */
  private TokenListener counting(TokenListener listener) {
    int[] count = {0};
    return id -> {
      listener.onToken(id);
      status.update(++count[0] + " generated tokens");
    };
  }

  private Optional<String> promptText() {
    if (prompt.text != null) {
      if (prompt.text.isBlank()) {
        throw new UsageException("the prompt given to --prompt is empty; pass some text, or token ids with --prompt-ids");
      }
      return Optional.of(Inputs.checkPromptText(prompt.text));
    }
    if (prompt.file != null) {
      Path f = prompt.file;
      String text = Inputs.readUtf8File(f, "--prompt-file");
      if (text.endsWith("\r\n")) {
        text = text.substring(0, text.length() - 2);
      } else if (text.endsWith("\n")) {
        text = text.substring(0, text.length() - 1);
      }
      if (text.isBlank()) {
        throw new UsageException("prompt file '" + f + "' is empty; put the prompt text in it, or pass token ids with --prompt-ids");
      }
      return Optional.of(text);
    }
    return Optional.empty();
  }

  private static int[] checkIds(int[] ids, LanguageModel lm) {
    int vocab = lm.config().vocabSize();
    for (int id : ids) {
      if (id >= vocab) {
        throw new UsageException("token id " + id + " in --prompt-ids is outside the model's vocabulary (0.." + (vocab - 1) + ")");
      }
    }
    return ids;
  }

  private int[] encode(String text, Optional<Tokenizer> tokenizer) {
    Tokenizer t = tokenizer.orElseThrow(() -> new UsageException("model '" + model + "' carries no tokenizer, so --prompt text cannot be encoded; "
        + "pass token ids with --prompt-ids (for a llama2.c .bin, put its tokenizer.bin beside it)"));
    int[] ids = t.encode(text, t.addBosByDefault());
    if (ids.length == 0) {
      throw new UsageException("the prompt encodes to no tokens; pass some text, or token ids with --prompt-ids");
    }
    return ids;
  }

  /** Streams ids, for a model without a tokenizer; flushes per token. */
  private static TokenListener idStreamer(PrintWriter out) {
    boolean[] first = {true};
    return id -> {
      out.print(first[0] ? Integer.toString(id) : " " + id);
      first[0] = false;
      out.flush();
    };
  }

  /** The prompt as one user message (after {@code --system}), formatted as ra serve formats a conversation. */
  private int[] chatIds(String text, Optional<Tokenizer> tokenizer, LanguageModel lm, ChatTemplate template) {
    if (tokenizer.isEmpty()) {
      throw new UsageException("model '" + model + "' carries no tokenizer, so --chat cannot format a conversation; "
          + "pass token ids with --prompt-ids");
    }
    List<ChatMessage> messages = new ArrayList<>();
    if (system != null) {
      messages.add(ChatMessage.system(system));
    }
    messages.add(ChatMessage.user(text));
    int[] ids = ChatFormatter.forModel(lm, template).encode(messages);
    if (ids.length == 0) {
      throw new UsageException("the chat prompt encodes to no tokens");
    }
    return ids;
  }

  private String summary(GenerationResult r, RaRuntime runtime, long usedSeed) {
    GenerationStats s = r.stats();
    return String.format(Locale.ROOT,
        "[%d tokens%s; prefill %.1f ms; decode %.1f tokens/s (%s); policy %s, backend %s, budget %d; %d full / %d partial layer-steps, "
            + "%.1f tokens attended per step; peak KV %s%s]",
        r.tokens().length,
        r.stoppedAtEos() ? " (stopped at EOS)"
            : r.finishReason() == FinishReason.STOP_STRING ? " (stopped at --stop)" : "",
        s.prefillMillis(), s.decodeTokensPerSecond(),
        warmUp > 0 ? "after a " + warmUp + "-token warm-up" : "includes JIT warm-up; --warm-up N excludes it",
        runtime.config().policyName(), runtime.config().backendName(), runtime.config().budget(), s.fullSteps(), s.partialSteps(),
        s.meanTokensAttended(), bytes(s.peakResidentKvBytes()), temperature > 0 ? "; seed " + usedSeed : "");
  }

  private static String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    if (b < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
  }

  private ObjectNode toJson(GenerationResult r, RaRuntime runtime, long usedSeed) {
    Json j = new Json();
    ObjectNode root = j.object();
    ArrayNode p = root.putArray("prompt_ids");
    for (int id : r.promptIds()) {
      p.add(id);
    }
    ArrayNode t = root.putArray("tokens");
    for (int id : r.tokens()) {
      t.add(id);
    }
    if (r.text() != null) {
      root.put("text", r.text());
    } else {
      root.putNull("text");
    }
    GenerationStats s = r.stats();
    ObjectNode st = root.putObject("stats");
    st.put("prefill_ms", s.prefillMillis());
    st.put("decode_tokens_per_s", s.decodeTokensPerSecond());
    st.put("warm_up_tokens", warmUp);
    st.put("full_steps", s.fullSteps());
    st.put("partial_steps", s.partialSteps());
    st.put("mean_tokens_attended", s.meanTokensAttended());
    st.put("peak_resident_kv_bytes", s.peakResidentKvBytes());
    st.put("decode_ms", s.decodeMillis());
    st.put("working_set_changes", s.workingSetChanges());
    st.put("kv_bytes_read", s.kvBytesRead());
    st.put("generated_tokens", r.tokens().length);
    st.put("stopped_at_eos", r.stoppedAtEos());
    st.put("finish_reason", r.finishReason().name().toLowerCase(Locale.ROOT));
    st.put("policy", runtime.config().policyName());
    st.put("backend", runtime.config().backendName());
    st.put("budget", runtime.config().budget());
    st.put("threads", runtime.threads());
    st.put("seed", usedSeed);
    return root;
  }
}
