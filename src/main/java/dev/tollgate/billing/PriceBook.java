package dev.tollgate.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.config.ConfigException;
import dev.tollgate.core.Usage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Prices per model from {@code conf/prices.yaml}, in US dollars per 1M tokens. A price is looked up
 * as {@code provider/upstream-model}, then {@code upstream-model}, then the gateway's model name.
 * Arithmetic is exact (BigDecimal), rounded once per request to whole nano-dollars.
 */
public final class PriceBook {
  private static final BigDecimal NANOS_PER_USD_PER_MILLION = BigDecimal.valueOf(1000); // 1e9 nano / 1e6 tokens
  private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);
  private final Map<String, Price> prices;
  private final Map<Price, long[]> picos = new java.util.IdentityHashMap<>();

  public PriceBook(Map<String, Price> prices) {
    this.prices = Map.copyOf(prices);
    this.prices.values().forEach(p -> {
      long[] integral = p.picosPerToken();
      if (integral != null) picos.put(p, integral);
    });
  }

  public static PriceBook empty() {
    return new PriceBook(Map.of());
  }

  /** Reads a price file; a mistake names the file, the key path and the problem. */
  public static PriceBook load(Path file) {
    String name = file.toString();
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ConfigException(name + ": file not found (set prices: in the gateway config)");
    } catch (Exception e) {
      throw new ConfigException(name + ": not valid YAML: " + e.getMessage());
    }
    Map<String, Price> prices = new HashMap<>();
    JsonNode models = root == null ? null : root.get("models");
    if (models == null || !models.isObject()) throw new ConfigException(name + ": models: must be a mapping of model to price");
    for (Iterator<String> it = models.fieldNames(); it.hasNext(); ) {
      String model = it.next();
      JsonNode p = models.get(model);
      String path = "models." + model;
      if (!p.isObject()) throw new ConfigException(name + ": " + path + ": must be {input, output, cached-input, reasoning}");
      p.fieldNames().forEachRemaining(f -> {
        if (!Set.of("input", "output", "cached-input", "reasoning", "cache-write").contains(f)) {
          throw new ConfigException(name + ": " + path + "." + f
              + ": unknown key (known: input, cached-input, cache-write, output, reasoning)");
        }
      });
      BigDecimal input = usd(name, path + ".input", p.get("input"), null);
      BigDecimal output = usd(name, path + ".output", p.get("output"), null);
      prices.put(model, new Price(input, usd(name, path + ".cached-input", p.get("cached-input"), input), output,
          usd(name, path + ".reasoning", p.get("reasoning"), output), usd(name, path + ".cache-write", p.get("cache-write"), input)));
    }
    return new PriceBook(prices);
  }

  private static BigDecimal usd(String file, String path, JsonNode n, BigDecimal fallback) {
    if (n == null || n.isNull()) {
      if (fallback != null) return fallback;
      throw new ConfigException(file + ": " + path + ": is required (US dollars per 1M tokens)");
    }
    try {
      BigDecimal v = new BigDecimal(n.asText());
      if (v.signum() < 0) throw new NumberFormatException();
      return v;
    } catch (NumberFormatException e) {
      throw new ConfigException(file + ": " + path + ": must be a non-negative number of US dollars per 1M tokens, got '" + n.asText() + "'");
    }
  }

  public Price find(String provider, String upstreamModel, String model) {
    Price p = null;
    if (provider != null && upstreamModel != null) p = prices.get(provider + "/" + upstreamModel);
    if (p == null && upstreamModel != null) p = prices.get(upstreamModel);
    if (p == null && model != null) p = prices.get(model);
    return p;
  }

  public boolean has(String model) {
    return prices.containsKey(model);
  }

  /**
   * Cost in nano-dollars, rounded half-even once; cached tokens are part of prompt tokens, reasoning
   * part of completion. Whole pico-dollar prices use long arithmetic, others BigDecimal: same result.
   */
  public long cost(Price price, Usage u) {
    long[] p = picos.get(price);
    if (p == null || u.promptTokens() > 1_000_000_000L || u.completionTokens() > 1_000_000_000L) return costNanos(price, u);
    long cached = Math.min(u.cachedTokens(), u.promptTokens());
    long written = Math.min(u.cacheWriteTokens(), u.promptTokens() - cached);
    long reasoning = Math.min(u.reasoningTokens(), u.completionTokens());
    long picosTotal;
    try {
      picosTotal = Math.addExact(Math.addExact(Math.addExact(Math.multiplyExact(u.promptTokens() - cached - written, p[0]),
          Math.multiplyExact(cached, p[1])), Math.addExact(Math.multiplyExact(written, p[4]),
          Math.multiplyExact(u.completionTokens() - reasoning, p[2]))), Math.multiplyExact(reasoning, p[3]));
    } catch (ArithmeticException tooLarge) {
      return costNanos(price, u);
    }
    long nanos = picosTotal / 1000;
    long rest = picosTotal % 1000;
    if (rest > 500 || (rest == 500 && (nanos & 1) == 1)) nanos++;
    return nanos;
  }

  /**
   * Cost in nano-dollars with BigDecimal; cached (read) and cache-write tokens are part of prompt tokens,
   * reasoning part of completion. A cost beyond {@code Long.MAX_VALUE} nano-dollars (absurd usage) is
   * {@code Long.MAX_VALUE}: refused by any budget, never wrapped around.
   */
  public static long costNanos(Price price, Usage u) {
    long cached = Math.min(u.cachedTokens(), u.promptTokens());
    long written = Math.min(u.cacheWriteTokens(), u.promptTokens() - cached);
    long reasoning = Math.min(u.reasoningTokens(), u.completionTokens());
    BigDecimal usdPerMillion = price.input().multiply(BigDecimal.valueOf(u.promptTokens() - cached - written))
        .add(price.cachedInput().multiply(BigDecimal.valueOf(cached)))
        .add(price.cacheWrite().multiply(BigDecimal.valueOf(written)))
        .add(price.output().multiply(BigDecimal.valueOf(u.completionTokens() - reasoning)))
        .add(price.reasoning().multiply(BigDecimal.valueOf(reasoning)));
    BigDecimal nanos = usdPerMillion.multiply(NANOS_PER_USD_PER_MILLION).setScale(0, RoundingMode.HALF_EVEN);
    return nanos.compareTo(MAX_NANOS) >= 0 ? Long.MAX_VALUE : nanos.longValueExact();
  }
}
