package dev.tollgate.proxy;

/** The client API endpoints the gateway proxies, with what differs between them. */
public enum Endpoint {
  CHAT_COMPLETIONS("/chat/completions", true, "max_completion_tokens", "max_tokens"),
  COMPLETIONS("/completions", true, "max_tokens", null),
  EMBEDDINGS("/embeddings", false, null, null),
  RESPONSES("/responses", false, "max_output_tokens", null);

  /** The path below the API root, e.g. {@code /chat/completions} below {@code /v1}. */
  public final String path;
  /** Whether the endpoint accepts {@code stream_options.include_usage} (responses report usage anyway). */
  public final boolean takesStreamOptions;
  private final String maxTokensField;
  private final String legacyMaxTokensField;

  Endpoint(String path, boolean takesStreamOptions, String maxTokensField, String legacyMaxTokensField) {
    this.path = path;
    this.takesStreamOptions = takesStreamOptions;
    this.maxTokensField = maxTokensField;
    this.legacyMaxTokensField = legacyMaxTokensField;
  }

  /** The endpoint's name in metrics and the ledger, e.g. {@code chat_completions}. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public boolean streams() {
    return this != EMBEDDINGS;
  }

  public String[] maxTokensFields() {
    if (maxTokensField == null) return new String[0];
    return legacyMaxTokensField == null ? new String[] {maxTokensField} : new String[] {maxTokensField, legacyMaxTokensField};
  }
}
