package org.recycledattention.server;

import org.recycledattention.inference.Engine;
import org.recycledattention.inference.chat.ChatTemplate;

/** The built-in probe model for the server's tests. */
final class Probe {
  /**
   * A needle-in-a-haystack prompt in the probe's vocabulary; with full attention the probe answers
   * " 3690583." and stops.
   */
  static final String NEEDLE =
      "Some special magic numbers are hidden within the following text. Make sure to memorize it. I"
          + " will quiz you about the numbers afterwards.\n"
          + "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back"
          + " again. One of the special magic numbers for lucky-anchor is: 3690583. The grass is"
          + " green. The sky is blue. The sun is yellow. Here we go. There and back again.\n"
          + "What is the special magic number for lucky-anchor mentioned in the provided text? The"
          + " special magic number for lucky-anchor mentioned in the provided text is";

  /**
   * The probe has no chat template; this one passes the messages' text through, so a chat turn is
   * the plain prompt.
   */
  static final String TEMPLATE = "{% for m in messages %}{{ m['content'] }}{% endfor %}";

  private Probe() {}

  /**
   * The probe with full attention, one kernel thread per sequence, and the pass-through template.
   */
  static Engine engine() {
    return Engine.builder()
        .policy("full")
        .threadsPerSequence(1)
        .chatTemplate(ChatTemplate.of(TEMPLATE))
        .build();
  }
}
