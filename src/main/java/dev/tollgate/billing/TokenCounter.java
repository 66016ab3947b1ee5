package dev.tollgate.billing;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts tokens with OpenAI's BPE encodings (jtokkit): the model's own encoding where jtokkit knows
 * the model, o200k_base (GPT-4o and later) otherwise.
 */
public final class TokenCounter {
  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
  private static final Encoding DEFAULT = REGISTRY.getEncoding(EncodingType.O200K_BASE);
  private static final ConcurrentHashMap<String, Encoding> BY_MODEL = new ConcurrentHashMap<>();

  private TokenCounter() {}

  public static Encoding encodingFor(String model) {
    if (model == null) return DEFAULT;
    return BY_MODEL.computeIfAbsent(model, m -> REGISTRY.getEncodingForModel(m).orElse(DEFAULT));
  }

  /**
   * Loads the encodings these models use. Loading one reads its BPE ranks (about a second): do it at
   * start-up on a worker, never on an event loop during the first request.
   */
  public static void preload(Iterable<String> models) {
    DEFAULT.countTokensOrdinary("warm up");
    for (String m : models) encodingFor(m).countTokensOrdinary("warm up");
  }

  public static int count(String model, String text) {
    if (text == null || text.isEmpty()) return 0;
    return encodingFor(model).countTokensOrdinary(text);
  }
}
