package org.recycledattention.eval.ruler;

import java.util.List;
import java.util.Locale;

/**
 * One generated sample.
 *
 * @param task its family
 * @param prompt the full input text, ending with the answer prefix the model continues
 * @param answers every value the output must contain
 * @param promptTokens the prompt's length in the tokenizer it was generated for (without BOS)
 * @param depth where the (first) needle sits, as a fraction of the haystack, or NaN
 */
public record TaskSample(RulerTask task, String prompt, List<String> answers, int promptTokens, double depth) {
  public TaskSample {
    answers = List.copyOf(answers);
  }

  /** The continuation a model that solves the sample writes: {@code " v1, v2."}. */
  public String answerText() {
    return " " + String.join(", ", answers) + ".";
  }

  /**
   * RULER's {@code string_match_all}: the fraction of answers found in {@code output}, case
   * insensitive. 1.0 when every value is there.
   */
  public double score(String output) {
    String o = output.toLowerCase(Locale.ROOT);
    long found = answers.stream().filter(a -> o.contains(a.toLowerCase(Locale.ROOT))).count();
    return answers.isEmpty() ? 0 : (double) found / answers.size();
  }
}
