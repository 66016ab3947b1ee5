package dev.tollgate.wire;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

/**
 * Reading JSON a client sent: exactly one value, and no key twice in an object. With a duplicate key or
 * trailing text, the gateway and the provider could each read a different request (the gateway checks and
 * bills one model, the provider runs another), so such a body is refused rather than guessed at.
 */
public final class StrictJson {
  private StrictJson() {}

  /** A reader for client input, made once per mapper (readers are immutable and cheap to share). */
  public static ObjectReader reader(ObjectMapper json) {
    return json.reader()
        .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }
}
