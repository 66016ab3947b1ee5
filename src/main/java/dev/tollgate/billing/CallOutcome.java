package dev.tollgate.billing;

import dev.tollgate.core.Usage;
import dev.tollgate.wire.Prompt;

/**
 * How one admitted request went, as billing needs it: who, which model was asked and which one
 * answered, the status, the provider's usage if it reported one, and otherwise what an estimate needs
 * (the prompt and the tokens of the text produced, with the flags saying whether the provider may have worked
 * unreported: the client left, the stream broke, the upstream timed out mid-answer).
 *
 * @param provider null when no upstream was tried
 * @param promptReported the prompt's counts a stream reported as it began (Anthropic), for an estimate of
 *     a stream that broke off; or null
 * @param prompt null when the provider reported usage
 * @param producedTokens the tokens of the text the model produced (counted as it passed), for an estimate
 * @param fromCache how the cache answered the request, or null when the answer came from upstream
 */
public record CallOutcome(
    String requestId,
    long startMillis,
    String teamId,
    String keyId,
    String modelRequested,
    String model,
    String provider,
    String upstreamModel,
    String endpoint,
    boolean stream,
    int status,
    String outcome,
    Usage reported,
    Usage promptReported,
    boolean reachedUpstream,
    boolean answerStarted,
    boolean clientGone,
    boolean streamBroken,
    boolean timedOut,
    Prompt prompt,
    long producedTokens,
    long latencyMillis,
    Long ttftMillis,
    String endUser,
    FromCache fromCache) {

  /**
   * An answer the cache served: {@code kind} is {@code hit} (a stored answer) or {@code coalesced} (an identical
   * request's, in flight); {@code usage} is what the answer cost upstream, at the provider and model that answered.
   */
  public record FromCache(String kind, Usage usage, String provider, String upstreamModel) {}
}
