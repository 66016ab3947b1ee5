package dev.tollgate.quota;

import dev.tollgate.core.GatewayFailure;

/**
 * The quotas' answer to one request: the rate-limit view for its response headers, and either a
 * refusal or a reservation that must be settled exactly once, when the request ends.
 */
public final class Admission {
  /** For a caller without limits or budget: nothing reserved, nothing to settle. */
  static final Admission UNLIMITED = new Admission(null, null, RateView.NONE, null);

  private final QuotaGate gate;
  private final Reservation reservation;
  private final RateView rates;
  private final GatewayFailure refusal;
  private boolean settled;

  private Admission(QuotaGate gate, Reservation reservation, RateView rates, GatewayFailure refusal) {
    this.gate = gate;
    this.reservation = reservation;
    this.rates = rates;
    this.refusal = refusal;
  }

  static Admission admitted(QuotaGate gate, Reservation reservation, RateView rates) {
    return new Admission(gate, reservation, rates, null);
  }

  static Admission refused(RateView rates, GatewayFailure refusal) {
    return new Admission(null, null, rates, refusal);
  }

  /** The 429 to answer with (and its retry headers), or null when admitted. */
  public GatewayFailure refusal() {
    return refusal;
  }

  /** Requests and tokens used in the minute window against the tighter of team and key. */
  public RateView rates() {
    return rates;
  }

  /** Settles the reservation to what the request used (zero when it used nothing); only the first call counts. */
  public void settle(long actualTokens, long actualCostNanos) {
    if (reservation == null || settled) return;
    settled = true;
    gate.settle(reservation, actualTokens, actualCostNanos);
  }
}
