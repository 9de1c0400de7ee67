/**
 * {@code ra train-probe}: the training command, added to the {@code ra} command line through {@link
 * org.recycledattention.cli.common.CommandExtension} so that ra-cli does not depend on the training stack.
 */
package org.recycledattention.train.cli;
