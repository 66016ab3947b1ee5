package dev.tollgate.quota;

/**
 * The answer to an admission: admitted (with its reservation) or refused (why, which scope, when to
 * retry), plus the rate-limit view for the response headers of the tighter of team and key.
 */
public record Decision(
    Reservation reservation,
    Refusal refusal,
    String refusedScope,
    long retryAfterMillis,
    RateView rates) {

  public boolean admitted() {
    return reservation != null;
  }
}
