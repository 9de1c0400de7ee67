package org.recycledattention.inference.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The chat formats of five model families, written from their documented formats, rendered to the
 * exact prompt text those formats specify.
 */
class ChatTemplateTest {
  static final String LLAMA3 =
      "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content ="
          + " '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n"
          + "\\n"
          + "'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content"
          + " = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if"
          + " add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n"
          + "\\n"
          + "' }}{% endif %}";

  static final String QWEN25 =
      """
      {%- if tools %}
          {{- '<|im_start|>system\\n' }}
          {%- if messages[0]['role'] == 'system' %}
              {{- messages[0]['content'] }}
          {%- else %}
              {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
          {%- endif %}
          {{- "\\n\\n# Tools\\n\\n<tools>" }}
          {%- for tool in tools %}
              {{- "\\n" }}
              {{- tool | tojson }}
          {%- endfor %}
          {{- "\\n</tools><|im_end|>\\n" }}
      {%- else %}
          {%- if messages[0]['role'] == 'system' %}
              {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}
          {%- else %}
              {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. \
      You are a helpful assistant.<|im_end|>\\n' }}
          {%- endif %}
      {%- endif %}
      {%- for message in messages %}
          {%- if (message.role == "user") or (message.role == "system" and not loop.first) or \
      (message.role == "assistant" and not message.tool_calls) %}
              {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
          {%- elif message.role == "tool" %}
              {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
                  {{- '<|im_start|>user' }}
              {%- endif %}
              {{- '\\n<tool_response>\\n' }}
              {{- message.content }}
              {{- '\\n</tool_response>' }}
              {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
                  {{- '<|im_end|>\\n' }}
              {%- endif %}
          {%- endif %}
      {%- endfor %}
      {%- if add_generation_prompt %}
          {{- '<|im_start|>assistant\\n' }}
      {%- endif %}
      """;

  static final String MISTRAL =
      """
      {%- if messages[0]['role'] == 'system' %}
          {%- set system_message = messages[0]['content'] %}
          {%- set loop_messages = messages[1:] %}
      {%- else %}
          {%- set loop_messages = messages %}
      {%- endif %}

      {{- bos_token }}
      {%- for message in loop_messages %}
          {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
              {{- raise_exception('After the optional system message, conversation roles must alternate \
      user/assistant/user/assistant/...') }}
          {%- endif %}
          {%- if message['role'] == 'user' %}
              {%- if loop.last and system_message is defined %}
                  {{- '[INST] ' + system_message + '\\n\\n' + message['content'] + '[/INST]' }}
              {%- else %}
                  {{- '[INST] ' + message['content'] + '[/INST]' }}
              {%- endif %}
          {%- elif message['role'] == 'assistant' %}
              {{- ' ' + message['content']|trim + eos_token}}
          {%- else %}
              {{- raise_exception('Only user and assistant roles are supported, with the exception of an \
      initial optional system message!') }}
          {%- endif %}
      {%- endfor %}
      """;

  static final String PHI3 =
      "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\\n"
          + "' + message['content'] + '<|end|>\\n"
          + "'}}{% elif message['role'] == 'user' %}{{'<|user|>\\n"
          + "' + message['content'] + '<|end|>\\n"
          + "'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\\n"
          + "' + message['content'] + '<|end|>\\n"
          + "'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n"
          + "' }}{% else %}{{ eos_token }}{% endif %}";

  static final String GEMMA =
      "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not"
          + " supported') }}{% endif %}{% for message in messages %}{% if (message['role'] =="
          + " 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must"
          + " alternate user/assistant/user/assistant/...') }}{% endif %}{% if (message['role'] =="
          + " 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{%"
          + " endif %}{{ '<start_of_turn>' + role + '\\n"
          + "' + message['content'] | trim + '<end_of_turn>\\n"
          + "' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n"
          + "'}}{% endif %}";

  private static final List<ChatMessage> CONVERSATION =
      List.of(
          ChatMessage.system("You are a helpful assistant."),
          ChatMessage.user("What is 2+2?"),
          ChatMessage.assistant(" Four. "),
          ChatMessage.user("And 3+3?"));

  private static final List<ChatMessage> NO_SYSTEM = CONVERSATION.subList(1, 4);

  @Test
  void llama3() {
    assertThat(
            ChatTemplate.of(LLAMA3)
                .render(CONVERSATION, true, "<|begin_of_text|>", "<|end_of_text|>"))
        .isEqualTo(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "You are a helpful"
                + " assistant.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
                + "What is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
                + "Four.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
                + "And 3+3?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
  }

  @Test
  void qwen25WithItsDefaultSystemMessage() {
    assertThat(ChatTemplate.of(QWEN25).render(NO_SYSTEM, true, "", "<|im_end|>"))
        .isEqualTo(
            "<|im_start|>system\n"
                + "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\n"
                + "What is 2+2?<|im_end|>\n"
                + "<|im_start|>assistant\n"
                + " Four. <|im_end|>\n"
                + "<|im_start|>user\n"
                + "And 3+3?<|im_end|>\n"
                + "<|im_start|>assistant\n");
    assertThat(ChatTemplate.of(QWEN25).render(CONVERSATION.subList(0, 2), false, "", "<|im_end|>"))
        .isEqualTo(
            "<|im_start|>system\n"
                + "You are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\n"
                + "What is 2+2?<|im_end|>\n");
  }

  @Test
  void qwen25ToolResultsGroupIntoOneUserTurn() {
    List<ChatMessage> tools =
        List.of(
            ChatMessage.user("Weather?"),
            new ChatMessage("tool", "sunny"),
            new ChatMessage("tool", "warm"));
    assertThat(ChatTemplate.of(QWEN25).render(tools, false, "", ""))
        .endsWith(
            "<|im_start|>user\n"
                + "Weather?<|im_end|>\n"
                + "<|im_start|>user\n"
                + "<tool_response>\n"
                + "sunny\n"
                + "</tool_response>\n"
                + "<tool_response>\n"
                + "warm\n"
                + "</tool_response><|im_end|>\n");
  }

  @Test
  void mistralPutsTheSystemMessageIntoTheLastUserTurn() {
    assertThat(ChatTemplate.of(MISTRAL).render(CONVERSATION, true, "<s>", "</s>"))
        .isEqualTo(
            "<s>[INST] What is 2+2?[/INST] Four.</s>[INST] You are a helpful assistant.\n\n"
                + "And 3+3?[/INST]");
    assertThat(ChatTemplate.of(MISTRAL).render(NO_SYSTEM, true, "<s>", "</s>"))
        .isEqualTo("<s>[INST] What is 2+2?[/INST] Four.</s>[INST] And 3+3?[/INST]");
  }

  @Test
  void mistralRefusesRolesThatDoNotAlternate() {
    List<ChatMessage> twice = List.of(ChatMessage.user("a"), ChatMessage.user("b"));
    assertThatThrownBy(() -> ChatTemplate.of(MISTRAL).render(twice, true, "<s>", "</s>"))
        .isInstanceOfSatisfying(ChatTemplateException.class, e -> assertThat(e.rejected()).isTrue())
        .hasMessage(
            "the chat template refused the messages: After the optional system message,"
                + " conversation roles must alternate user/assistant/user/assistant/...");
  }

  @Test
  void phi3() {
    assertThat(ChatTemplate.of(PHI3).render(CONVERSATION, true, "<s>", "<|endoftext|>"))
        .isEqualTo(
            "<|system|>\n"
                + "You are a helpful assistant.<|end|>\n"
                + "<|user|>\n"
                + "What is 2+2?<|end|>\n"
                + "<|assistant|>\n"
                + " Four. <|end|>\n"
                + "<|user|>\n"
                + "And 3+3?<|end|>\n"
                + "<|assistant|>\n");
    assertThat(
            ChatTemplate.of(PHI3).render(CONVERSATION.subList(0, 2), false, "<s>", "<|endoftext|>"))
        .isEqualTo(
            "<|system|>\n"
                + "You are a helpful assistant.<|end|>\n"
                + "<|user|>\n"
                + "What is 2+2?<|end|>\n"
                + "<|endoftext|>");
  }

  @Test
  void gemmaCallsTheAssistantModelAndRefusesASystemMessage() {
    assertThat(ChatTemplate.of(GEMMA).render(NO_SYSTEM, true, "<bos>", "<eos>"))
        .isEqualTo(
            "<bos><start_of_turn>user\n"
                + "What is 2+2?<end_of_turn>\n"
                + "<start_of_turn>model\n"
                + "Four.<end_of_turn>\n"
                + "<start_of_turn>user\n"
                + "And 3+3?<end_of_turn>\n"
                + "<start_of_turn>model\n");
    assertThatThrownBy(() -> ChatTemplate.of(GEMMA).render(CONVERSATION, true, "<bos>", "<eos>"))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessage("the chat template refused the messages: System role not supported");
  }

  @Test
  void pythonStringMethodsNamespaceAndSlicesWork() {
    String t =
        """
        {%- set ns = namespace(users=0, last='') %}
        {%- for m in messages[1:] %}
            {%- if m.role.startswith('us') and not m.content.endswith('!') %}
                {%- set ns.users = ns.users + 1 %}
            {%- endif %}
            {%- set ns.last = m.content.strip().upper() %}
        {%- endfor %}
        {{- ns.users }}|{{ ns.last }}|{{ 'a.b.c'.split('.') | join('-') }}|{{ '  x '.lstrip() }}|\
        {{ 'xxhixx'.strip('x') }}|{{ 'a b'.title() }}
        """;
    assertThat(ChatTemplate.of(t).render(CONVERSATION, false, "", ""))
        .isEqualTo("2|AND 3+3?|a-b-c|x |hi|A B");
  }

  @Test
  void blocksAlone_onALineLoseTheLineButTextBeforeATagKeepsItsSpace() {
    String t =
        "{% for m in messages %}\n"
            + "    {% if m.role == 'user' %}\n"
            + "{{ m.content }} {% endif %}\n"
            + "{% endfor %}";
    assertThat(ChatTemplate.of(t).render(NO_SYSTEM, false, "", ""))
        .isEqualTo("What is 2+2? And 3+3? ");
  }

  @Test
  void strftimeNowFormatsTheCurrentDateLikePython() {
    ZonedDateTime t = ZonedDateTime.of(2024, 7, 26, 9, 5, 3, 0, ZoneOffset.UTC);
    assertThat(ChatTemplate.strftime(t, "%d %b %Y %H:%M:%S %A %B %j %I%p %%"))
        .isEqualTo("26 Jul 2024 09:05:03 Friday July 208 09AM %");
    String before = ChatTemplate.strftime(ZonedDateTime.now(), "%Y-%m-%d");
    String rendered =
        ChatTemplate.of("{{ strftime_now('%Y-%m-%d') }}").render(List.of(), false, "", "");
    String after = ChatTemplate.strftime(ZonedDateTime.now(), "%Y-%m-%d");
    assertThat(rendered).isIn(before, after);
  }

  @Test
  void anUnsupportedConstructIsAOneLineErrorNamingIt() {
    assertThatThrownBy(
            () ->
                ChatTemplate.of(
                    "{% for m in messages %}{% generation %}{{ m.content }}{% endgeneration %}{%"
                        + " endfor %}"))
        .isInstanceOfSatisfying(
            ChatTemplateException.class, e -> assertThat(e.rejected()).isFalse())
        .hasMessageContaining("generation")
        .hasMessageContaining("--chat-template")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(
            () ->
                ChatTemplate.of("{{ messages[0].content.casefold() }}")
                    .render(NO_SYSTEM, false, "", ""))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("casefold")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(
            () -> ChatTemplate.of("{{ no_such_function(1) }}").render(NO_SYSTEM, false, "", ""))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("no_such_function");
  }

  @Test
  void theFallbackIsAPlainTranscript() {
    ChatTemplate f = ChatTemplate.fallback();
    assertThat(f.isFallback()).isTrue();
    assertThat(f.render(NO_SYSTEM.subList(0, 1), true, "<s>", "</s>"))
        .isEqualTo("user: What is 2+2?\nassistant:");
    assertThat(f.render(CONVERSATION.subList(0, 2), false, "<s>", "</s>"))
        .isEqualTo("system: You are a helpful assistant.\nuser: What is 2+2?\n");
  }

  @Test
  void tojsonWritesAsPythonsJsonDumpsAndStringsIndexLikePython() {
    String t = "{{ messages[1] | tojson }}|{{ messages[1] | tojson(indent=2) }}|"
        + "{{ messages[1].role[0] }}{{ messages[1]['role'][-1] }}";
    assertThat(ChatTemplate.of(t).render(CONVERSATION, false, "", ""))
        .isEqualTo("{\"role\": \"user\", \"content\": \"What is 2+2?\"}|"
            + "{\n  \"role\": \"user\",\n  \"content\": \"What is 2+2?\"\n}|ur");
    assertThat(ChatTemplate.of("{{ 'a\"é' | tojson }}").render(List.of(), false, "", "")).isEqualTo("\"a\\\"é\"");
  }

  @Test
  void whatJinjavaWouldSilentlyRenderAsNothingIsAnError() {
    assertThatThrownBy(() -> ChatTemplate.of("{% for m in messages %}{{ loop.previtem }}{% endfor %}"))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("loop.previtem");
    assertThatThrownBy(() -> ChatTemplate.of("{{ messages[0].content.nope }}").render(NO_SYSTEM, false, "", ""))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("nope");
  }
}
