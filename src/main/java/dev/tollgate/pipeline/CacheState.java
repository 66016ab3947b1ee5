package dev.tollgate.pipeline;

import dev.tollgate.billing.CallOutcome;
import dev.tollgate.cache.CachedAnswer;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.core.Usage;

/**
 * What the response cache knows of one request: its key, what the lookup found (a stored answer, none,
 * or the lookup was skipped), the request's cache control and the model's rule; and, once the cache stage
 * answered it, how (a hit or a coalesced answer) and what that answer cost upstream.
 */
public final class CacheState {
  /** What the lookup found. */
  public enum Found { HIT, MISS, BYPASS }

  private final String key;
  private final Found found;
  private final CachedAnswer stored;
  private final CacheControl control;
  private final GatewayConfig.ModelCache rule;
  private String servedAs;
  private Usage servedUsage;
  private String servedProvider;
  private String servedModel;

  CacheState(String key, Found found, CachedAnswer stored, CacheControl control, GatewayConfig.ModelCache rule) {
    this.key = key;
    this.found = found;
    this.stored = stored;
    this.control = control;
    this.rule = rule;
  }

  public String key() { return key; }
  public Found found() { return found; }
  /** The stored answer a hit serves; null otherwise. */
  public CachedAnswer stored() { return stored; }
  CacheControl control() { return control; }
  GatewayConfig.ModelCache rule() { return rule; }

  public boolean hit() {
    return found == Found.HIT;
  }

  /** @param usage what the answer cost upstream; null when the relay's observer reads it from the answer itself */
  void served(String kind, Usage usage, String provider, String upstreamModel) {
    servedAs = kind;
    servedUsage = usage;
    servedProvider = provider;
    servedModel = upstreamModel;
  }

  /** For billing: how the cache answered, or null when the answer came from upstream. */
  CallOutcome.FromCache fromCache(Usage relayed) {
    if (servedAs == null) return null;
    Usage usage = servedUsage != null ? servedUsage : relayed != null ? relayed : Usage.ZERO;
    return new CallOutcome.FromCache(servedAs, usage, servedProvider, servedModel);
  }
}
