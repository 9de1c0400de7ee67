package org.recycledattention.server;

import java.io.IOException;
import org.recycledattention.inference.Engine;
import org.recycledattention.inference.chat.ChatTemplate;
import org.recycledattention.probe.ShippedProbe;

/** The built-in probe model for the server's tests. */
final class Probe {

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

  /** A server on a free port over {@code engine}, with {@code parallel} sequences and {@code queue} waiting. */
  static OpenAiServer server(Engine engine, int parallel, int queue) throws IOException {
    return OpenAiServer.start(
        engine, ServerOptions.defaults().withPort(0).withParallel(parallel).withQueue(queue));
  }
}
