package org.recycledattention.engine.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.recycledattention.api.RaException;
import org.recycledattention.model.ModelFormatException;
import org.recycledattention.model.format.gguf.GgufModelReader;
import org.recycledattention.model.format.llama2c.Llama2cReader;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.load.ModelLoader;
import org.recycledattention.model.load.ModelTokenizers;
import org.recycledattention.model.testing.Loaders;
import org.recycledattention.model.tokenizer.Tokenizer;

/**
 * What every fuzz target shares: a scratch directory per input and the parser contract.
 *
 * <p>The contract: a parser given arbitrary bytes either returns, or throws a {@link RaException}
 * with exit code 2 (normally a {@link ModelFormatException} that names a file); a model it returns
 * decodes ({@link Decoding}). Any other throwable (an {@link OutOfMemoryError}, {@link
 * IndexOutOfBoundsException}, {@link StackOverflowError}, {@link NegativeArraySizeException}, ...)
 * escapes the target, and Jazzer reports it as a finding.
 */
final class FuzzSupport {
  /** Text every tokenizer a parser accepts must encode and decode without failing. */
  static final String PROBE_TEXT = "Hello wörld, <s> 12 \u2581 \uD83D\uDE00\n\tx";

  private FuzzSupport() {}

  /** Code under test that may throw anything. */
  @FunctionalInterface
  interface Body {
    void run(Path dir) throws Exception;
  }

  /** Jazzer's regex-injection sanitizer, which reports any untrusted string compiled as a regex. */
  static final String REGEX_INJECTION_HOOK = "com.code_intelligence.jazzer.sanitizers.RegexInjection";

  /** What Jazzer instruments for coverage: the whole project, the parsers in ra-model above all. */
  static final String INSTRUMENTED = "org.recycledattention.**";

  /**
   * Call from a static {@code @BeforeAll} of every fuzz test (it runs before Jazzer configures its
   * agent, once per JVM, from JUnit configuration parameters, which include system properties).
   * Disables the regex-injection sanitizer: a tokenizer.json's pre-tokenizer regex is untrusted
   * input by design, compiled on purpose; turning a syntax error into a ModelFormatException is
   * checked by {@link HostileInputsTest}. Instruments every class of the project: by default Jazzer
   * instruments only the fuzz test's own top package ({@code org.recycledattention.engine}), which
   * leaves the parsers (ra-model) without coverage feedback. Leaves values set on the command line
   * alone.
   */
  static void configureJazzer() {
    if (System.getProperty("jazzer.disabled_hooks") == null) {
      System.setProperty("jazzer.disabled_hooks", REGEX_INJECTION_HOOK);
    }
    if (System.getProperty("jazzer.instrumentation_includes") == null) {
      System.setProperty("jazzer.instrumentation_includes", INSTRUMENTED);
    }
  }

  /** The loader with every format and tokenizers, as the CLI builds it. */
  static ModelLoader loader() {
    return Loaders.formats().withTokenizers(new ModelTokenizers());
  }

  /**
   * Runs {@code body} in a fresh scratch directory (deleted afterwards) and enforces the contract:
   * returns normally when {@code body} returns or throws an exit-code-2 {@link RaException}.
   */
  static void inScratchDir(Body body) {
    Path dir;
    try {
      dir = Files.createTempDirectory("ra-fuzz");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      expectContract(dir, body);
    } finally {
      deleteRecursively(dir);
    }
  }

  static void expectContract(Path dir, Body body) {
    try {
      body.run(dir);
    } catch (RaException e) {
      if (e.exitCode() != RaException.USAGE_ERROR) {
        throw new AssertionError("a parser failed with exit code " + e.exitCode() + " instead of 2 (bad input): " + e.getMessage(), e);
      }
      if (e instanceof ModelFormatException m && m.file() == null) {
        throw new AssertionError("ModelFormatException without a file: " + e.getMessage(), e);
      }
      if (e.getMessage() == null || e.getMessage().isBlank()) {
        throw new AssertionError("RaException without a message", e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("the fuzz target's own file handling failed", e);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static Path write(Path dir, String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  /**
   * Loads {@code path} with {@link #loader()}, exercises its tokenizer, decodes with every built-in
   * policy ({@link Decoding}), and closes it.
   */
  static void loadAndClose(Path path) {
    try (LlamaModel model = loader().load(path)) {
      model.tokenizer().ifPresent(FuzzSupport::exercise);
      model.weights().tokenEmbedding().toArray();
      Decoding.decodeWithEveryPolicy(model);
    }
  }

  /** Encodes and decodes {@link #PROBE_TEXT}, decodes every id (up to 512) one by one. */
  static void exercise(Tokenizer tokenizer) {
    int[] ids = tokenizer.encode(PROBE_TEXT, true);
    tokenizer.decode(ids);
    int n = Math.min(tokenizer.vocabSize(), 512);
    var decoder = tokenizer.newDecoder();
    for (int id = 0; id < n; id++) {
      tokenizer.piece(id);
      tokenizer.decode(new int[] {id});
      decoder.next(id);
    }
    decoder.finish();
  }

  /** Opens {@code path} with the GGUF and llama2.c readers directly (bypassing format detection). */
  static void readGguf(Path path) throws Exception {
    new GgufModelReader().read(path).resources().close();
  }

  static void readLlama2c(Path path) throws Exception {
    new Llama2cReader().read(path).resources().close();
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the scratch directory " + dir, e);
    }
  }
}
