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
 * @param shownAnswers answers the prompt itself already gives ({@link RulerTask#RECALL}'s earlier
 *     queries), each as the characters of its {@code " v."} in {@code prompt}, in order: training
 *     puts the answer loss on them too; empty for RULER's tasks
 */
public record TaskSample(RulerTask task, String prompt, List<String> answers, int promptTokens, double depth, List<Span> shownAnswers) {
  public TaskSample {
    answers = List.copyOf(answers);
    shownAnswers = List.copyOf(shownAnswers);
    int last = 0;
    for (Span s : shownAnswers) {
      if (s.start() < last || s.end() > prompt.length()) {
        throw new IllegalArgumentException("shown answer " + s + " is out of order or outside the prompt of " + prompt.length() + " characters");
      }
      last = s.end();
    }
  }

  /** A sample whose prompt shows no answer. */
  public TaskSample(RulerTask task, String prompt, List<String> answers, int promptTokens, double depth) {
    this(task, prompt, answers, promptTokens, depth, List.of());
  }

  /**
   * Characters {@code [start, end)} of a text.
   *
   * @param start first character
   * @param end one past the last
   */
  public record Span(int start, int end) {
    public Span {
      if (start < 0 || end <= start) {
        throw new IllegalArgumentException("invalid span " + start + ".." + end);
      }
    }
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
    long found = answers.stream().filter(a -> found(output, a)).count();
    return answers.isEmpty() ? 0 : (double) found / answers.size();
  }

  /** Whether {@code output} holds {@code value}, case insensitive: what {@link #score} counts per answer. */
  public static boolean found(String output, String value) {
    return output.toLowerCase(Locale.ROOT).contains(value.toLowerCase(Locale.ROOT));
  }
}
