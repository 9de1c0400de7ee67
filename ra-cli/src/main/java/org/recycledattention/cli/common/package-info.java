/**
 * What every command shares: {@link org.recycledattention.cli.common.Subcommand} (the base: streams,
 * status line, error handling), the option mixins ({@link org.recycledattention.cli.common.ConfigOptions}
 * builds the command's runtime; {@link org.recycledattention.cli.common.SelectionOptions}, {@link
 * org.recycledattention.cli.common.BackendOption}, {@link org.recycledattention.cli.common.ThreadsOption},
 * {@link org.recycledattention.cli.common.ReportOptions}, {@link
 * org.recycledattention.cli.common.PluginOptions}), input checks and the extension point for commands of
 * other modules ({@link org.recycledattention.cli.common.CommandExtension}).
 */
package org.recycledattention.cli.common;
