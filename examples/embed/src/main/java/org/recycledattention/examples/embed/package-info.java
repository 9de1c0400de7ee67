/** An application that embeds the engine: the example behind the README's "Use as a library". */
package org.recycledattention.examples.embed;
