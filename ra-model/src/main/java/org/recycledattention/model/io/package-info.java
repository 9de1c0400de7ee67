/**
 * What crosses the process boundary safely: files a command writes, and text read from files or
 * plugins that a command prints.
 *
 * <ul>
 *   <li>{@link org.recycledattention.model.io.OutputFiles}: every file a command writes (a GGUF
 *       export, a report, a trained probe) is checked before any work (never an input of the same
 *       command, never anything but a regular file, never through a symbolic link that leaves the
 *       target's directory) and written completely or not at all (a temporary file in the target's
 *       directory, then a rename).
 *   <li>{@link org.recycledattention.model.io.SafeText}: a string from a model file, a config file or
 *       a plugin is escaped (no control character reaches a terminal) and cut to a bound before it
 *       goes into a message.
 * </ul>
 *
 * <p>Depends on the contract ({@code ra-api}) only; every module that writes files or builds
 * messages from outside text uses it, so that the rules live in one place.
 */
package org.recycledattention.model.io;
