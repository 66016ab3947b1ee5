package dev.tollgate.wire;

/**
 * A client request after reading: its dialect and operation, its JSON body (the client's bytes, or a
 * translation's tree) and what the gateway needs from it. {@code maxOutputTokens}: what the request caps its
 * output at (0 when the operation produces none, null when it does not say); {@code clientWantsUsage}: the
 * client itself asked for the usage event of a stream.
 */
public record ApiRequest(
    Dialect dialect,
    Operation operation,
    RequestBody body,
    String model,
    boolean stream,
    boolean clientWantsUsage,
    Long maxOutputTokens,
    String user) {

  /**
   * The most output tokens a request may ask for (2^31 - 1): far above any model's output limit, and small
   * enough that no sum of tokens or cost made from it can overflow. A larger value is refused with a 400.
   */
  public static final long MAX_OUTPUT_TOKENS = Integer.MAX_VALUE;

  public Prompt prompt() {
    return dialect.prompt(this);
  }
}
