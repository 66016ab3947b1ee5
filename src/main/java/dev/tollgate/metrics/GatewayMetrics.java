package dev.tollgate.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's meters and their names, in one place. Meters are looked up once per tag
 * combination and cached, so recording on the hot path is a map lookup and an atomic add.
 * No provider secret or team key ever becomes a tag.
 */
public final class GatewayMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger activeStreams = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

  public GatewayMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    Gauge.builder("tollgate_active_streams", activeStreams, AtomicInteger::get)
        .description("Streamed responses currently being relayed").register(registry);
    Gauge.builder("tollgate_requests_in_flight", inFlight, AtomicInteger::get)
        .description("Client requests currently being handled").register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public String scrape() {
    return registry.scrape();
  }

  public AtomicInteger activeStreams() {
    return activeStreams;
  }

  public AtomicInteger inFlight() {
    return inFlight;
  }

  public void request(String endpoint, String model, int status, long nanos) {
    String key = endpoint + '|' + model + '|' + status;
    timers.computeIfAbsent("req|" + key, k -> Timer.builder("tollgate_requests")
        .description("Client requests by endpoint, model and status, with their duration")
        .tags("endpoint", endpoint, "model", model, "status", Integer.toString(status))
        .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  public void upstreamLatency(String provider, String model, long nanos) {
    timers.computeIfAbsent("up|" + provider + '|' + model, k -> Timer.builder("tollgate_upstream_latency")
        .description("Time from sending the upstream request to its response headers")
        .tags("provider", provider, "model", model)
        .publishPercentiles(0.5, 0.99)
        .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  public void timeToFirstToken(String model, long nanos) {
    timers.computeIfAbsent("ttft|" + model, k -> Timer.builder("tollgate_time_to_first_token")
        .description("Time from the client's request to the first streamed event relayed")
        .tags("model", model)
        .publishPercentiles(0.5, 0.99)
        .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  public void upstreamFailure(String provider, String reason) {
    count("tollgate_upstream_failures", "Upstream attempts that failed, by provider and reason",
        "provider", provider, "reason", reason);
  }

  /** A counter with the given name and tags (name-value pairs), created on first use. */
  public void count(String name, String description, String... tags) {
    counter(name, description, tags).increment();
  }

  public Counter counter(String name, String description, String... tags) {
    String key = name + '|' + String.join("|", tags);
    return counters.computeIfAbsent(key, k -> Counter.builder(name).description(description).tags(tags).register(registry));
  }
}
