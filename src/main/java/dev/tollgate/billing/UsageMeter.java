package dev.tollgate.billing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.proxy.Exchange;
import dev.tollgate.proxy.Settlement;
import io.micrometer.core.instrument.Counter;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bills every admitted request once, at settle: the provider's reported usage when there is one,
 * otherwise a tokenizer estimate of the prompt and of the text relayed so far (flagged estimated).
 * A request that failed before the provider produced anything costs nothing.
 */
public final class UsageMeter implements Settlement {
  private final PriceBook prices;
  private final Ledger ledger;
  private final GatewayMetrics metrics;
  /** The tokens and cost counters per team and model, looked up once. */
  private final ConcurrentHashMap<String, Counter[]> counters = new ConcurrentHashMap<>();

  public UsageMeter(PriceBook prices, Ledger ledger, GatewayMetrics metrics) {
    this.prices = prices;
    this.ledger = ledger;
    this.metrics = metrics;
  }

  @Override
  public void settle(Exchange ex) {
    Charge charge = charge(ex);
    ex.charge = charge;
    long now = System.nanoTime();
    ledger.record(new UsageEvent(
        newId(), ex.requestId, ex.startMillis, ex.caller.team().id(), ex.caller.key().id(),
        ex.route.requested(), ex.route.model(),
        ex.target == null ? null : ex.target.upstreamModel(), ex.target == null ? null : ex.target.provider(),
        ex.api.endpoint().wireName(), ex.api.stream(), charge.usage(), charge.costNanos(), charge.priced(),
        charge.estimated(), false, ex.status, (now - ex.startNanos) / 1_000_000,
        ex.firstEventNanos == 0 ? null : (ex.firstEventNanos - ex.startNanos) / 1_000_000, ex.api.user()));
    if (charge.usage().totalTokens() > 0) {
      Counter[] c = counters.computeIfAbsent(ex.caller.team().id() + '\u0000' + ex.route.model(),
          k -> countersFor(ex.caller.team().id(), ex.route.model()));
      c[0].increment(charge.usage().promptTokens());
      c[1].increment(charge.usage().completionTokens());
      c[2].increment(charge.costNanos() / 1e9);
    }
  }

  private Counter[] countersFor(String team, String model) {
    return new Counter[] {
        metrics.counter("tollgate_tokens", "Tokens billed, by team, model and kind", "team", team, "model", model, "kind", "prompt"),
        metrics.counter("tollgate_tokens", "Tokens billed, by team, model and kind", "team", team, "model", model, "kind", "completion"),
        metrics.counter("tollgate_cost_usd", "Cost billed in US dollars, by team and model", "team", team, "model", model)};
  }

  Charge charge(Exchange ex) {
    String model = ex.route.model();
    String upstream = ex.target == null ? null : ex.target.upstreamModel();
    Price price = prices.find(ex.target == null ? null : ex.target.provider(), upstream, model);
    Usage usage;
    boolean estimated;
    if (ex.reportedUsage != null) {
      usage = ex.reportedUsage;
      estimated = false;
    } else if (producedSomething(ex)) {
      String tokenizerModel = upstream != null ? upstream : model;
      long prompt = TokenCounter.count(tokenizerModel, PromptText.of(ex.api.body()));
      long completion = TokenCounter.count(tokenizerModel, ex.relayedText.toString());
      usage = new Usage(prompt, completion, 0, 0);
      estimated = true;
    } else {
      return new Charge(Usage.ZERO, 0, false, price != null);
    }
    return new Charge(usage, price == null ? 0 : prices.cost(price, usage), estimated, price != null);
  }

  /**
   * Whether the provider may have done work that it did not report: the request reached it and
   * either succeeded without usage, or was cut off (client gone, stream broken, timed out mid-answer).
   */
  private static boolean producedSomething(Exchange ex) {
    if (ex.upstreamSentNanos == 0) return false;
    if (ex.status == 200) return true;
    return ex.clientGone || ex.streamBroken || (ex.timedOut && ex.upstreamHeadersNanos != 0);
  }

  /** Text the model produced in a non-streamed answer, for an estimate when the provider reported no usage. */
  public static String answerText(JsonNode body) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode choice : body.path("choices")) {
      JsonNode text = choice.has("message") ? choice.path("message").get("content") : choice.get("text");
      if (text != null && text.isTextual()) sb.append(text.asText());
    }
    for (JsonNode item : body.path("output")) {
      for (JsonNode part : item.path("content")) {
        if (part.has("text")) sb.append(part.path("text").asText());
      }
    }
    return sb.toString();
  }

  /**
   * Time first, then randomness: ids of records written together sort together, so the ledger's
   * primary-key index grows at its end instead of being rewritten at random places as it gets large.
   */
  private static String newId() {
    long random = ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE;
    return "u_" + Long.toHexString(System.currentTimeMillis() | (1L << 44)) + Long.toHexString(random);
  }
}
