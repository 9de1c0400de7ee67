/**
 * RULER-style synthetic long-context tasks (Hsieh et al. 2024), generated for any tokenizer and any
 * target length in tokens: needle-in-a-haystack variants, variable tracking, common- and
 * frequent-words extraction. Templates and scoring follow RULER: a sample's score is the fraction of
 * its required values that appear in the output (RULER's {@code string_match_all}), so a sample
 * that needs several values earns partial credit.
 */
package org.recycledattention.eval.ruler;
