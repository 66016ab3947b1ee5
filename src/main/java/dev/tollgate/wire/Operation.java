package dev.tollgate.wire;

/** One operation of a client API, e.g. OpenAI's chat completions. */
public interface Operation {
  /** Its name in metrics and the ledger, e.g. {@code chat_completions}. */
  String wireName();

  /** The path below the API root, e.g. {@code /chat/completions} below {@code /v1}. */
  String path();
}
