package org.recycledattention.cli.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.recycledattention.cli.common.EvalSupport;
import org.recycledattention.cli.common.ModelAccessOptions;
import org.recycledattention.cli.common.Subcommand;
import org.recycledattention.cli.common.UsageException;
import org.recycledattention.model.format.gguf.writer.GgufModelWriter;
import org.recycledattention.model.io.OutputFiles;
import org.recycledattention.model.llama.LanguageModel;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.tensor.GgmlType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ra export-gguf}: writes any loadable model (or a synthetic one) as a GGUF v3 file llama.cpp
 * accepts. {@code --out} is checked before the model is read ({@link OutputFiles}): never the input
 * itself (by any spelling or hard link), never anything but a regular file.
 */
@Command(name = "export-gguf", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Write a model (any format this tool reads, or synthetic:SPEC) as GGUF v3, so other engines can time the same model."})
public final class ExportGgufCommand extends Subcommand {
  @Option(names = "--model", required = true, paramLabel = "FILE|synthetic:SPEC", description = "The model to export.")
  String model;

  @Option(names = "--out", required = true, paramLabel = "F.gguf",
      description = "The GGUF file to write (written to a temporary name, then renamed; never one of the model's files).")
  Path out;

  @Option(names = "--type", paramLabel = "TYPE", defaultValue = "f32", description = {"Weight type of matrices: f32, f16, q8_0, q4_0, q4_k, q5_k or q6_k (default: ${DEFAULT-VALUE}).",
      "Norms and biases stay F32; rows that are not whole blocks fall back as llama-quantize falls back (q4_k to Q5_0, q5_k to Q5_1,",
      "q6_k to Q8_0, else F16)."})
  String type;

  @Mixin
  ModelAccessOptions access;

  public ExportGgufCommand(Map<String, String> environment) {
    super(environment);
  }

  @Override
  protected int run() {
    GgmlType t = switch (type.toLowerCase(Locale.ROOT)) {
      case "f32" -> GgmlType.F32;
      case "f16" -> GgmlType.F16;
      case "q8_0" -> GgmlType.Q8_0;
      case "q4_0" -> GgmlType.Q4_0;
      case "q4_k" -> GgmlType.Q4_K;
      case "q5_k" -> GgmlType.Q5_K;
      case "q6_k" -> GgmlType.Q6_K;
      default -> throw new UsageException("invalid value '" + type + "' for --type: expected f32, f16, q8_0, q4_0, q4_k, q5_k or q6_k");
    };
    List<Path> inputs = EvalSupport.checkModel(model);
    OutputFiles.check(out, inputs, "--out");
    try (LanguageModel lm = EvalSupport.loadModel(model, access.access())) {
      LlamaModel llama = (LlamaModel) lm;
      GgufModelWriter.write(out, llama.config(), llama.weights(), lm.tokenizer().orElse(null), t);
      err().println("wrote " + out + " (" + lm.description() + ", matrices " + t + ")");
    }
    return 0;
  }
}
