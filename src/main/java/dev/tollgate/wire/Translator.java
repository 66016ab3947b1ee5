package dev.tollgate.wire;

/** Finds how a client's request goes to a provider speaking another dialect. */
public interface Translator {
  /** A translator that knows no translations. */
  Translator NONE = (request, dialect) -> null;

  /**
   * The translation of a client request for a provider speaking {@code providerDialect}; null when there is none.
   *
   * @throws dev.tollgate.core.GatewayFailure (400) when the request asks for what the provider's API cannot do
   */
  Translation translate(ApiRequest request, String providerDialect);
}
