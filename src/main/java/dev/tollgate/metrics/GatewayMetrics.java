package dev.tollgate.metrics;

import dev.tollgate.core.Ids;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * The gateway's meters, one named method each, so every name and tag set is written in one place.
 * Meters are looked up once per tag combination and cached, so recording on the hot path is a map
 * lookup and an atomic add. No provider secret or team key ever becomes a tag.
 */
public final class GatewayMetrics {
  /**
   * Histogram buckets for request, upstream and first-token latency: fixed, so every replica exports the same
   * {@code le} values and {@code histogram_quantile} can aggregate them (client-side percentiles cannot be).
   */
  private static final Duration[] LATENCY_BUCKETS = Stream.of(25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000)
      .map(Duration::ofMillis).toArray(Duration[]::new);

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger activeStreams = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  /** Of those in flight, the warm-up's synthetic requests (counted once authenticated): left out of the gauge. */
  private final AtomicInteger syntheticInFlight = new AtomicInteger();
  // meters found by the names they are asked for (Strings from the configuration, whose hashes are kept), not by a
  // key string built per request: a request's meters cost a few map lookups and no allocation but the key
  private final ConcurrentHashMap<Key, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Key, Timer> timers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Key, Counter[]> billed = new ConcurrentHashMap<>();

  /** A meter's name and tag values, compared by value. */
  private static final class Key {
    private final Object[] parts;
    private final int hash;

    Key(Object... parts) {
      this.parts = parts;
      this.hash = java.util.Arrays.hashCode(parts);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && java.util.Arrays.equals(k.parts, parts);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private Timer timer(Key key, java.util.function.Function<Key, Timer> create) {
    Timer t = timers.get(key);
    return t != null ? t : timers.computeIfAbsent(key, create);
  }
  private final Counter ledgerWritten;
  private final Counter ledgerDropped;
  private final Counter ledgerWriteFailures;
  private final Counter adminAuthFailures;
  private final Counter metricsAuthFailures;
  private final Counter ledgerJournalFailures;
  private final Counter ledgerJournaled;

  public GatewayMetrics() {
    // the warm-up's synthetic requests are no one's traffic: whatever meter they reach (upstream latency, breakers,
    // first tokens...) is named by their provider, model or team, and none of those is kept
    registry.config().meterFilter(MeterFilter.deny(id -> id.getTags().stream().anyMatch(t -> t.getValue().startsWith(Ids.WARM_UP))));
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    Gauge.builder("tollgate_active_streams", activeStreams, AtomicInteger::get)
        .description("Streamed responses currently being relayed").register(registry);
    // a synthetic request is in inFlight before it is known to be one (until authenticated), and the two counters are
    // read one after the other: for a moment the gauge may be one off while a synthetic request starts or ends
    Gauge.builder("tollgate_requests_in_flight", this, m -> Math.max(0, m.inFlight.get() - m.syntheticInFlight.get()))
        .description("Client requests currently being handled").register(registry);
    // shown from the start, so that an alert on them sees 0 rather than nothing
    ledgerWritten = counter("tollgate_ledger_written", "Usage records written to the store");
    ledgerDropped = counter("tollgate_ledger_dropped", "Usage records lost because the ledger buffer was full");
    ledgerWriteFailures = counter("tollgate_ledger_write_failures", "Failed attempts to write a batch of usage records");
    adminAuthFailures = counter("tollgate_admin_auth_failures", "Admin API requests with a missing or wrong admin token");
    metricsAuthFailures = counter("tollgate_metrics_auth_failures", "Scrapes of /metrics with a missing or wrong metrics token");
    ledgerJournaled = counter("tollgate_ledger_journaled", "Usage records appended to the local ledger journal");
    ledgerJournalFailures = counter("tollgate_ledger_journal_failures",
        "Failed appends or fsyncs of the local ledger journal (those records were kept in memory only)");
  }

  public String scrape() {
    return registry.scrape();
  }

  public AtomicInteger activeStreams() {
    return activeStreams;
  }

  /** Every request in the pipeline, the warm-up's included: what a drain waits for. */
  public AtomicInteger inFlight() {
    return inFlight;
  }

  /** The warm-up's synthetic requests in the pipeline, which the {@code tollgate_requests_in_flight} gauge leaves out. */
  public AtomicInteger syntheticInFlight() {
    return syntheticInFlight;
  }

  // ---- operators' tokens

  public void adminAuthFailure() {
    adminAuthFailures.increment();
  }

  public void metricsAuthFailure() {
    metricsAuthFailures.increment();
  }

  // ---- requests and upstreams

  public void request(String endpoint, String model, int status, long nanos) {
    timer(new Key("req", endpoint, model, status), k -> Timer.builder("tollgate_requests")
        .description("Client requests by endpoint, model and status, with their duration")
        .tags("endpoint", endpoint, "model", model, "status", Integer.toString(status))
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  public void upstreamLatency(String provider, String model, long nanos) {
    timer(new Key("up", provider, model), k -> Timer.builder("tollgate_upstream_latency")
        .description("Time from sending the upstream request to its response headers")
        .tags("provider", provider, "model", model)
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  public void timeToFirstToken(String model, long nanos) {
    timer(new Key("ttft", model), k -> Timer.builder("tollgate_time_to_first_token")
        .description("Time from the client's request to the first streamed event relayed")
        .tags("model", model)
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  public void upstreamFailure(String provider, String reason) {
    counter("tollgate_upstream_failures", "Upstream attempts that failed, by provider and reason",
        "provider", provider, "reason", reason).increment();
  }

  /** A target's circuit breaker: 0 closed, 1 half-open (trial calls), 2 open (skipped). */
  public void breakerState(String provider, String model, java.util.function.IntSupplier state) {
    Gauge.builder("tollgate_breaker_state", state::getAsInt)
        .description("Circuit breaker per target: 0 closed, 1 half-open, 2 open")
        .tags("provider", provider, "model", model).register(registry);
  }

  /** A provider key, by its position in the config: 0 ready, 1 cooling down after a 429, 2 paused after a 401/403. */
  public void providerKeyState(String provider, int index, java.util.function.IntSupplier state) {
    Gauge.builder("tollgate_provider_key_state", state::getAsInt)
        .description("Provider keys by position: 0 ready, 1 cooling down after a 429, 2 paused after a 401/403")
        .tags("provider", provider, "key", Integer.toString(index)).register(registry);
  }

  /** An upstream call made for a request, by provider and what came of it (ok, a status, timeout, unreachable). */
  public void upstreamAttempt(String provider, String outcome) {
    counter("tollgate_upstream_attempts", "Upstream calls, by provider and outcome", "provider", provider, "outcome", outcome)
        .increment();
  }

  // ---- admission

  public void quotaRefusal(String team, String reason) {
    counter("tollgate_quota_refusals", "Requests refused by quotas, by team and reason", "team", team, "reason", reason).increment();
  }

  public void quotaRedisUnavailable(String team, boolean failOpen) {
    counter("tollgate_quota_redis_unavailable", "Admissions made while Redis was unreachable, by team and mode",
        "team", team, "mode", failOpen ? "fail_open" : "fail_closed").increment();
  }

  public void connectionRefused() {
    counter("tollgate_connections_refused", "Client connections answered 503 because server.max-connections were open").increment();
  }

  public void openConnections(IntSupplier open) {
    Gauge.builder("tollgate_connections_open", open::getAsInt).description("Client connections open").register(registry);
  }

  public void loadShed() {
    counter("tollgate_load_shed", "Requests refused because the usage ledger is too far behind").increment();
  }

  // ---- the response cache

  /** One cacheable request's result: {@code hit}, {@code miss}, {@code bypass} or {@code coalesced}. */
  public void cacheResult(String result) {
    counter("tollgate_cache_requests", "Requests to cached models, by what the cache did", "result", result).increment();
  }

  public void cacheEviction(String cause) {
    counter("tollgate_cache_evictions", "Cached answers removed before they were asked again, by cause", "cause", cause).increment();
  }

  public void cacheStoreUnavailable() {
    counter("tollgate_cache_store_unavailable", "Cache lookups or stores that failed (the cache was bypassed)").increment();
  }

  public void cacheBytes(java.util.function.LongSupplier bytes) {
    Gauge.builder("tollgate_cache_bytes", bytes::getAsLong).description("Bytes of answers held by the local cache")
        .register(registry);
  }

  /** What an answer served from the cache would have cost upstream. */
  public void cacheSaved(String team, double usd) {
    counter("tollgate_cache_saved_usd", "Cost of the answers the cache served instead of the upstream, by team",
        "team", team).increment(usd);
  }

  // ---- billing

  /** Tokens and cost billed for one request. */
  public void billed(String team, String model, long promptTokens, long completionTokens, double costUsd) {
    Key key = new Key(team, model);
    Counter[] c = billed.get(key);
    if (c == null) c = billed.computeIfAbsent(key, k -> new Counter[] {
        counter("tollgate_tokens", "Tokens billed, by team, model and kind", "team", team, "model", model, "kind", "prompt"),
        counter("tollgate_tokens", "Tokens billed, by team, model and kind", "team", team, "model", model, "kind", "completion"),
        counter("tollgate_cost_usd", "Cost billed in US dollars, by team and model", "team", team, "model", model)});
    c[0].increment(promptTokens);
    c[1].increment(completionTokens);
    c[2].increment(costUsd);
  }

  public void ledgerWritten(int records) {
    ledgerWritten.increment(records);
  }

  public void ledgerDropped() {
    ledgerDropped.increment();
  }

  public void ledgerWriteFailure() {
    ledgerWriteFailures.increment();
  }

  public void ledgerJournaled(int records) {
    ledgerJournaled.increment(records);
  }

  public void ledgerJournalFailure() {
    ledgerJournalFailures.increment();
  }

  public void ledgerPending(IntSupplier pending) {
    Gauge.builder("tollgate_ledger_pending", pending::getAsInt)
        .description("Usage records waiting to be written").register(registry);
  }

  // ---- budgets and quota use per team (refreshed from the quota backend; see quota.QuotaGauges)

  /** One team's budget and its use of each limit, as the quota backend reports them. Null: no such budget or limit. */
  public record TeamUse(String team, Double budgetUsd, double spentUsd, double reservedUsd, Long rpm, long requestsUsed,
      Long tpm, long tokensUsed, Long concurrent, long concurrentUsed) {}

  private final TeamGauges teamGauges = new TeamGauges(registry);

  /** Replaces every team's budget and quota gauges: a team left out (deleted) loses its series. */
  public void teamUse(java.util.Collection<TeamUse> teams) {
    teamGauges.replace(teams);
  }

  /**
   * Removes every series labelled with one of these teams (deleted): cost, tokens, refusals, savings, budget
   * and quota gauges.
   */
  public void forgetTeams(java.util.Set<String> teams) {
    if (teams.isEmpty()) return;
    for (io.micrometer.core.instrument.Meter m : registry.getMeters()) {
      String team = m.getId().getTag("team");
      if (team != null && teams.contains(team)) registry.remove(m);
    }
    counters.values().removeIf(c -> teams.contains(c.getId().getTag("team")));
    billed.values().removeIf(c -> teams.contains(c[0].getId().getTag("team")));
  }

  /** This replica's refusals of a team since it started, by reason (what the dashboard shows beside the ledger). */
  public java.util.Map<String, Long> refusals(String team) {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    for (Counter c : counters.values()) {
      if (c.getId().getName().equals("tollgate_quota_refusals") && team.equals(c.getId().getTag("team"))) {
        out.merge(c.getId().getTag("reason"), (long) c.count(), Long::sum);
      }
    }
    return out;
  }

  private Counter counter(String name, String description, String... tags) {
    Object[] parts = new Object[tags.length + 1];
    parts[0] = name;
    System.arraycopy(tags, 0, parts, 1, tags.length);
    Key key = new Key(parts);
    Counter c = counters.get(key);
    if (c != null) return c;
    return counters.computeIfAbsent(key, k -> Counter.builder(name).description(description).tags(tags).register(registry));
  }
}
