package dev.tollgate.billing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import dev.tollgate.wire.Prompt;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts tokens with OpenAI's BPE encodings (jtokkit): the model's own encoding where jtokkit knows
 * the model, o200k_base (GPT-4o and later) otherwise.
 */
public final class TokenCounter {
  private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
  private static final Encoding DEFAULT = REGISTRY.getEncoding(EncodingType.O200K_BASE);
  private static final ConcurrentHashMap<String, Encoding> BY_MODEL = new ConcurrentHashMap<>();
  /**
   * Counts of prompt pieces already seen: at most ~32 MB (each entry weighed as its text plus ~160 bytes
   * of cache, map and object overhead), and none kept over ten minutes unused. The cache's upkeep
   * (recording reads, evicting) runs on the calling thread in small amortised steps rather than waking a
   * common-pool thread every few requests.
   */
  private static final Cache<Piece, Integer> PIECES = Caffeine.newBuilder()
      .executor(Runnable::run)
      .maximumWeight(32L << 20)
      .weigher((Piece p, Integer n) -> 2 * p.text().length() + 160)
      .expireAfterAccess(Duration.ofMinutes(10))
      .build();

  /** A key of the count cache: {@code equals} and {@code hashCode} written out (see {@code RouteTarget}). */
  private record Piece(Encoding encoding, String text) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Piece p && encoding == p.encoding && text.equals(p.text);
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(encoding) * 31 + text.hashCode();
    }
  }

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

  /**
   * The tokens of a prompt: its pieces (messages, content parts) counted one by one, plus the tokens
   * its framing adds. Each piece's count is remembered, since chats resend their whole history every
   * turn and teams share system prompts, so most pieces have been counted before and only the new ones
   * cost tokenizing.
   */
  public static long estimate(String model, Prompt prompt) {
    Encoding encoding = encodingFor(model);
    long total = prompt.framingTokens();
    for (String text : prompt.pieces()) {
      if (!text.isEmpty()) total += PIECES.get(new Piece(encoding, text), p -> encoding.countTokensOrdinary(p.text()));
    }
    return total;
  }
}
