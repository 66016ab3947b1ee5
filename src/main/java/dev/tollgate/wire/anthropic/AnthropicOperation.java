package dev.tollgate.wire.anthropic;

import dev.tollgate.wire.Operation;

/** Anthropic's operations the gateway serves. */
public enum AnthropicOperation implements Operation {
  MESSAGES("/messages", "messages"),
  /** Answered by the gateway itself (an estimate), never sent upstream. */
  COUNT_TOKENS("/messages/count_tokens", "count_tokens");

  private final String path;
  private final String wireName;

  AnthropicOperation(String path, String wireName) {
    this.path = path;
    this.wireName = wireName;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String wireName() {
    return wireName;
  }

  @Override
  public boolean countsTokens() {
    return this == COUNT_TOKENS;
  }
}
