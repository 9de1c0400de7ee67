/**
 * Chat templates: a model's {@code tokenizer.chat_template} (Jinja) rendered with Jinjava, with
 * what Hugging Face's {@code apply_chat_template} provides (Python string methods, {@code
 * raise_exception}, {@code strftime_now}, {@code trim_blocks}/{@code lstrip_blocks}), and a
 * plain-transcript fallback for models without one.
 */
package org.recycledattention.inference.chat;
