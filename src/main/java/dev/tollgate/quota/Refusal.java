package dev.tollgate.quota;

/** Why a request was not admitted. */
public enum Refusal {
  RPM("requests per minute"),
  TPM("tokens per minute"),
  CONCURRENT("concurrent requests"),
  BUDGET("budget");

  final String what;

  Refusal(String what) {
    this.what = what;
  }

  public String metricName() {
    return name().toLowerCase();
  }
}
