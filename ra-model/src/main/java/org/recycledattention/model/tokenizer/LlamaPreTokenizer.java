package org.recycledattention.model.tokenizer;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * llama.cpp's pre-tokenizers of byte-level BPE vocabularies, chosen by GGUF's {@code
 * tokenizer.ggml.pre}: one constant per llama.cpp pre-tokenizer type, with every name llama.cpp
 * accepts for it, the regexes it splits with (several types share one list) and the tokenizer
 * settings the type implies. The names and lists are those of llama.cpp at the commit the project
 * compares with ({@code llama-vocab.cpp}).
 *
 * <p>An absent or empty {@code tokenizer.ggml.pre} means {@link #DEFAULT}, as in llama.cpp (which
 * warns that generation quality will suffer); a name llama.cpp does not know is an error, never a
 * fallback. SentencePiece vocabularies ({@code tokenizer.ggml.model = llama}) have no
 * pre-tokenizer: llama.cpp ignores their {@code pre}, and so does this package.
 */
public enum LlamaPreTokenizer implements PreTokenizer {
  /**
   * {@code default} or no {@code pre}: punctuation runs, GPT-2, digit runs, then groups of three
   * ASCII digits.
   */
  DEFAULT(LlamaRegexSet.DEFAULT, Flags.NONE, "default"),
  LLAMA3(
      LlamaRegexSet.LLAMA3,
      Flags.IGNORE_MERGES_ADD_BOS,
      "llama-bpe",
      "llama3",
      "llama-v3",
      "falcon3"),
  DEEPSEEK_LLM(LlamaRegexSet.DEEPSEEK_LLM, Flags.NONE, "deepseek-llm"),
  DEEPSEEK_CODER(LlamaRegexSet.DEEPSEEK_CODER, Flags.NONE, "deepseek-coder"),
  DEEPSEEK3_LLM(LlamaRegexSet.DEEPSEEK3_LLM, Flags.NONE, "deepseek-v3"),
  FALCON(LlamaRegexSet.FALCON, Flags.NONE, "falcon"),
  MPT(LlamaRegexSet.GPT2, Flags.NONE, "mpt"),
  STARCODER(LlamaRegexSet.STARCODER, Flags.NONE, "starcoder"),
  GPT2(
      LlamaRegexSet.GPT2,
      Flags.NONE,
      "gpt-2",
      "phi-2",
      "jina-es",
      "jina-de",
      "gigachat",
      "jina-v1-en",
      "jina-v2-es",
      "jina-v2-de",
      "jina-v2-code",
      "roberta-bpe"),
  REFACT(LlamaRegexSet.STARCODER, Flags.NONE, "refact"),
  COMMAND_R(LlamaRegexSet.STARCODER, Flags.NONE, "command-r"),
  QWEN2(LlamaRegexSet.QWEN2, Flags.NONE, "qwen2", "deepseek-r1-qwen", "megrez"),
  STABLELM2(LlamaRegexSet.QWEN2, Flags.NONE, "stablelm2"),
  OLMO(LlamaRegexSet.GPT2, Flags.NONE, "olmo"),
  DBRX(LlamaRegexSet.LLAMA3, Flags.NONE, "dbrx"),
  SMAUG(LlamaRegexSet.LLAMA3, Flags.NONE, "smaug-bpe"),
  PORO(LlamaRegexSet.PORO, Flags.NONE, "poro-chat"),
  CHATGLM4(LlamaRegexSet.LLAMA3, Flags.NONE, "chatglm-bpe"),
  VIKING(LlamaRegexSet.VIKING, Flags.NONE, "viking"),
  JAIS(LlamaRegexSet.GPT2, Flags.NONE, "jais"),
  TEKKEN(LlamaRegexSet.TEKKEN, Flags.IGNORE_MERGES_ADD_BOS, "tekken"),
  SMOLLM(LlamaRegexSet.STARCODER, Flags.NONE, "smollm"),
  CODESHELL(LlamaRegexSet.STARCODER, Flags.NONE, "codeshell"),
  BLOOM(LlamaRegexSet.PORO, Flags.NONE, "bloom"),
  GPT3_FINNISH(LlamaRegexSet.PORO, Flags.NONE, "gpt3-finnish"),
  EXAONE(LlamaRegexSet.STARCODER, Flags.NONE, "exaone"),
  CHAMELEON(LlamaRegexSet.CHAMELEON, Flags.ADD_BOS, "chameleon"),
  MINERVA(LlamaRegexSet.STARCODER, Flags.NONE, "minerva-7b");

  /**
   * What a pre-tokenizer type implies for the rest of the tokenizer (llama.cpp sets these with the
   * type).
   */
  private enum Flags {
    NONE(false, false),
    ADD_BOS(false, true),
    IGNORE_MERGES_ADD_BOS(true, true);

    final boolean ignoreMerges;
    final boolean addBos;

    Flags(boolean ignoreMerges, boolean addBos) {
      this.ignoreMerges = ignoreMerges;
      this.addBos = addBos;
    }
  }

  private final LlamaRegexSet regexes;
  private final Flags flags;
  private final List<String> names;

  LlamaPreTokenizer(LlamaRegexSet regexes, Flags flags, String... names) {
    this.regexes = regexes;
    this.flags = flags;
    this.names = List.of(names);
  }

  /**
   * The pre-tokenizer for a {@code tokenizer.ggml.pre} value, as llama.cpp picks it; {@link
   * #DEFAULT} for {@code null} or "" (the key is absent). Names are case-sensitive, as in
   * llama.cpp.
   */
  public static Optional<LlamaPreTokenizer> forName(String pre) {
    if (pre == null || pre.isEmpty()) {
      return Optional.of(DEFAULT);
    }
    for (LlamaPreTokenizer p : values()) {
      if (p.names.contains(pre)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Every name {@link #forName} accepts, sorted, comma-separated (for messages). */
  public static String supportedNames() {
    return Arrays.stream(values())
        .flatMap(p -> p.names.stream())
        .sorted()
        .collect(Collectors.joining(", "));
  }

  /** The names llama.cpp accepts for this type; the first is the one its converter writes. */
  public List<String> names() {
    return names;
  }

  /** The name llama.cpp's converter writes for this type (what {@code ra export-gguf} writes). */
  public String ggufName() {
    return names.getFirst();
  }

  /** llama.cpp's regexes for this type, in the order they split. */
  public List<String> regexes() {
    return regexes.splitter().regexes();
  }

  /** Whether a word that is a vocabulary piece is taken whole, without merges (Llama 3, Tekken). */
  public boolean ignoresMerges() {
    return flags.ignoreMerges;
  }

  /**
   * Whether prompts start with BOS when the file does not say ({@code tokenizer.ggml.add_bos_token}
   * absent).
   */
  public boolean addsBosByDefault() {
    return flags.addBos;
  }

  @Override
  public List<String> split(String text) {
    return regexes.splitter().split(requireNonNull(text, "text is null"));
  }
}
