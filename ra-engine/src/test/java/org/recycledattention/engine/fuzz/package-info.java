/**
 * Coverage-guided fuzz tests of every model-file parser (Jazzer's JUnit integration), and plain
 * tests of the named hostile inputs ({@link org.recycledattention.engine.fuzz.HostileInputsTest},
 * {@link org.recycledattention.engine.fuzz.HostileModelsTest}). They live in ra-engine, not next to
 * the parsers in ra-model, because the contract goes on into decoding.
 *
 * <h2>The contract</h2>
 * Given arbitrary bytes, a parser returns, or throws a {@code RaException} with exit code 2
 * (normally a {@code ModelFormatException} naming the file and byte offset). Anything else escaping
 * a target ({@code OutOfMemoryError}, {@code IndexOutOfBoundsException}, {@code
 * NegativeArraySizeException}, {@code StackOverflowError}, a JVM crash) is a finding. A tokenizer a
 * parser accepts must also encode and decode a probe text, and a model it accepts must decode: one
 * prefill and one decode step with every built-in policy on the {@code cpu} backend, the predicted
 * tokens decoded by its tokenizer ({@link org.recycledattention.engine.fuzz.Decoding}), so that a
 * header whose products overflow or whose vocabulary does not match its embedding is a finding even
 * if loading missed it.
 *
 * <table>
 *   <caption>Targets</caption>
 *   <tr><th>class#method</th><th>input</th></tr>
 *   <tr><td>GgufFuzzTest#gguf</td><td>a .gguf file (GgufFile, tokenizer metadata, ModelLoader)</td></tr>
 *   <tr><td>SafetensorsFuzzTest#safetensorsFile</td><td>a .safetensors file (valid config.json beside it)</td></tr>
 *   <tr><td>SafetensorsIndexFuzzTest#shardIndex</td><td>model.safetensors.index.json (two valid shards beside it)</td></tr>
 *   <tr><td>HfConfigFuzzTest#configJson</td><td>config.json (a valid model.safetensors beside it)</td></tr>
 *   <tr><td>Llama2cFuzzTest#checkpoint</td><td>a llama2.c .bin checkpoint</td></tr>
 *   <tr><td>Llama2cTokenizerFuzzTest#tokenizerBin</td><td>2 bytes (vocab size - 1, little-endian), then tokenizer.bin</td></tr>
 *   <tr><td>TokenizerJsonFuzzTest#tokenizerJson</td><td>tokenizer.json</td></tr>
 * </table>
 *
 * <h2>Regression mode ({@code mvn test})</h2>
 * Without {@code JAZZER_FUZZ}, each {@code @FuzzTest} runs once per file in {@code
 * src/test/resources/org/recycledattention/engine/fuzz/<Class>Inputs/<method>/} (plus an empty
 * input): the seed corpus (small valid files and hand-made hostile ones, written by {@link
 * org.recycledattention.engine.fuzz.Seeds#main}) and every past finding. It takes seconds.
 *
 * <h2>Fuzzing in every {@code mvn verify} (CI)</h2>
 * ra-engine's pom binds one surefire execution per target to the {@code verify} phase, with {@code
 * JAZZER_FUZZ=1} and {@code -Djazzer.max_duration=${ra.fuzz.duration}} (60 s; {@code
 * -Dra.fuzz.duration=10s} for a quick local run): each target fuzzes coverage-guided, in a JVM of its
 * own, starting from its inputs folder. A new target needs an execution there.
 *
 * <h2>Fuzzing one target for longer</h2>
 * One target per JVM run, for at most the target's {@code maxDuration} (5 minutes) unless {@code
 * -Djazzer.max_duration} says otherwise, from the repository root:
 * <pre>{@code
 * export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
 * JAZZER_FUZZ=1 mvn -o -pl ra-engine test -Dtest=GgufFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dra.surefire.argLine="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m -Xmx1g \
 *     -XX:+EnableDynamicAgentLoading -Djazzer.max_duration=3m"
 * }</pre>
 * ({@code ra.surefire.argLine} is the parent pom's surefire argLine; the modest {@code -Xmx} makes
 * an allocation driven by a hostile count show up as an {@code OutOfMemoryError}.) Jazzer prints
 * {@code #<execs> ... cov: ... exec/s: ...} lines while it runs and {@code Done <N> runs in <S>
 * second(s)} at the end. Its generated corpus goes to {@code ra-engine/.cifuzz-corpus/} (not
 * committed). Other sessions build in the same {@code target/}: fuzz in a private copy of the
 * module when the working tree is shared.
 *
 * <h2>A finding</h2>
 * Jazzer writes the crashing input into the target's {@code <Class>Inputs/<method>/} resource
 * directory as {@code crash-<sha1>} and prints the stack trace. Fix the parser, rename the file
 * to say what it exercises (e.g. {@code finding-llama2c-size-overflow}), keep it there (it now
 * replays in every build), and, for a named hostile case, add an exact assertion to {@code
 * HostileInputsTest}. {@code mvn -o -pl ra-engine test -Dtest=GgufFuzzTest} (no {@code JAZZER_FUZZ})
 * replays the whole directory, one JUnit invocation per file.
 * {@link org.recycledattention.engine.fuzz.Seeds#main} regenerates the seeds (it does not touch
 * findings).
 */
package org.recycledattention.engine.fuzz;
