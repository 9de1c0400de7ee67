/**
 * langchain4j (1.x) over the in-process engine: {@link
 * org.recycledattention.langchain4j.RaChatModel} ({@code ChatModel}) and {@link
 * org.recycledattention.langchain4j.RaStreamingChatModel} ({@code StreamingChatModel}), with the
 * attention policy, budget and backend as builder options. Works with {@code AiServices}, chat
 * memory and everything else built on those two interfaces; no HTTP.
 */
package org.recycledattention.langchain4j;
