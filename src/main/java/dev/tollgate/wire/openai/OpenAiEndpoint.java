package dev.tollgate.wire.openai;

import dev.tollgate.wire.Operation;
import java.util.Locale;

/** OpenAI's operations the gateway serves, with what differs between them. */
public enum OpenAiEndpoint implements Operation {
  CHAT_COMPLETIONS("/chat/completions", true, "max_completion_tokens", "max_tokens"),
  COMPLETIONS("/completions", true, "max_tokens", null),
  EMBEDDINGS("/embeddings", false, null, null),
  RESPONSES("/responses", false, "max_output_tokens", null);

  private final String path;
  /** Whether the endpoint accepts {@code stream_options.include_usage} (responses report usage anyway). */
  final boolean takesStreamOptions;
  private final String maxTokensField;
  private final String legacyMaxTokensField;
  private final String wireName;

  OpenAiEndpoint(String path, boolean takesStreamOptions, String maxTokensField, String legacyMaxTokensField) {
    this.path = path;
    this.takesStreamOptions = takesStreamOptions;
    this.maxTokensField = maxTokensField;
    this.legacyMaxTokensField = legacyMaxTokensField;
    this.wireName = name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String wireName() {
    return wireName;
  }

  boolean streams() {
    return this != EMBEDDINGS;
  }

  /** Whether the model writes an answer (embeddings only read). */
  boolean generates() {
    return this != EMBEDDINGS;
  }

  String[] maxTokensFields() {
    if (maxTokensField == null) return new String[0];
    return legacyMaxTokensField == null ? new String[] {maxTokensField} : new String[] {maxTokensField, legacyMaxTokensField};
  }
}
