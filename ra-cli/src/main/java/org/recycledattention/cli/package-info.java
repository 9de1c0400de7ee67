/**
 * The {@code ra} command line (picocli). {@link org.recycledattention.cli.Main} registers the commands,
 * grouped by family in sub-packages: {@code inspect} (policies, backends, config), {@code generate},
 * {@code eval} (eval fidelity, eval ruler, demo), {@code bench}, {@code model} (export-gguf, tokenize);
 * {@code common} holds what they share (the {@code Subcommand} base, option mixins, messages).
 * Commands from other modules ({@code ra train-probe}) come in through {@code
 * common.CommandExtension}. Commands are thin: discovery, configuration and selection live in {@code
 * org.recycledattention.engine.wiring} ({@code RaRuntime}), decoding in the engine.
 *
 * <p>Every failure is one line on stderr and an exit code: 0 success, 1 runtime failure, 2 usage or
 * configuration error ({@link org.recycledattention.api.RaException#exitCode()}); {@code --verbose}
 * adds the stack trace. Nothing here may be depended on.
 */
package org.recycledattention.cli;
