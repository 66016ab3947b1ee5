package dev.tollgate.wire;

/** One operation of a client API, e.g. OpenAI's chat completions. */
public interface Operation {
  /** Its name in metrics and the ledger, e.g. {@code chat_completions}. */
  String wireName();

  /** The path below the API root, e.g. {@code /chat/completions} below {@code /v1}. */
  String path();

  /** Whether the operation only counts the prompt's tokens: the gateway answers it itself, free of charge. */
  default boolean countsTokens() {
    return false;
  }
}
