/**
 * The {@code ra} command line (picocli): {@code policies}, {@code backends}, {@code config} and
 * {@code generate}. Commands are thin: discovery, configuration and selection live in {@code
 * org.recycledattention.engine.wiring}; decoding in the engine.
 *
 * <p>Every failure is one line on stderr and an exit code: 0 success, 1 runtime failure, 2 usage or
 * configuration error ({@link org.recycledattention.api.RaException#exitCode()}); {@code --verbose}
 * adds the stack trace. Nothing here may be depended on.
 */
package org.recycledattention.cli;
