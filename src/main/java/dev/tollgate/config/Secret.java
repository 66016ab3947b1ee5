package dev.tollgate.config;

/**
 * A provider key or token resolved from an {@code ${env:}} / {@code ${file:}} reference. Its
 * {@link #toString()} never shows the value, so a secret cannot leak through a log line or an
 * exception message by accident.
 */
public final class Secret {
  private final String value;
  private final String reference;

  public Secret(String value, String reference) {
    this.value = value;
    this.reference = reference;
  }

  /** The secret itself; call only where it is put on the wire or hashed. */
  public String reveal() {
    return value;
  }

  /** Where the secret came from, e.g. {@code env:OPENAI_API_KEY}; safe to log. */
  public String reference() {
    return reference;
  }

  @Override
  public String toString() {
    return "Secret[" + reference + "]";
  }
}
