package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.billing.Charge;
import dev.tollgate.billing.Price;
import dev.tollgate.billing.PriceBook;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.core.Usage;
import dev.tollgate.quota.LocalQuotas;
import dev.tollgate.quota.QuotaGate;
import dev.tollgate.quota.QuotaStatus;
import dev.tollgate.route.RouteTarget;
import dev.tollgate.support.TestStack;
import dev.tollgate.team.Budget;
import dev.tollgate.team.BudgetPeriod;
import dev.tollgate.team.Limits;
import dev.tollgate.team.Team;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Admission reserves before the request goes on and settles, afterwards, to what the meter charged. */
class AdmitStageTest {
  private static final String BODY = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
  private static final Team TEAM = new Team("alpha", "alpha", new Budget(new BigDecimal("1"), BudgetPeriod.MONTHLY),
      new Limits(2L, 1000L, 5L), List.of(), Map.of(), false, Instant.EPOCH, Instant.EPOCH);
  private static final Charge CHARGED = new Charge(new Usage(8, 4, 0, 0), 10_000, false, true);

  private QuotaGate quotas;

  /** @param after the stages after admission */
  private StageHarness harness(java.util.function.Function<StageHarness, List<Stage>> after) {
    PriceBook prices = new PriceBook(Map.of("m", new Price(new BigDecimal("0.5"), new BigDecimal("0.5"),
        new BigDecimal("1.5"), new BigDecimal("1.5"))));
    return StageHarness.start(ctx -> {
      ctx.caller(StageHarness.caller(TEAM));
      StageHarness.read(ctx, BODY);
      ctx.route(StageHarness.route("m", new RouteTarget("p", "m", 1)));
    }, h -> {
      quotas = new QuotaGate(h.vertx, new LocalQuotas(), new GatewayConfig.Quota(4096, new BigDecimal("1"), Duration.ofSeconds(30),
          GatewayConfig.FailMode.OPEN, List.of(), Duration.ofMillis(500)), h.metrics, Clock.systemUTC());
      List<Stage> stages = new java.util.ArrayList<>();
      stages.add(new AdmitStage(quotas, prices, 4096));
      stages.addAll(after.apply(h));
      return stages;
    });
  }

  /** Stands in for the meter: the charge billing would have computed, then an answer. */
  private static List<Stage> charging(StageHarness h) {
    return List.of((ctx, next) -> next.run(ctx).andThen(done -> ctx.charge(CHARGED)), h.answer200());
  }

  private QuotaStatus status() {
    return TestStack.await(quotas.status(TEAM, null, null));
  }

  @Test
  void reserves_the_estimate_and_max_tokens_then_settles_to_the_charge() {
    try (StageHarness harness = harness(AdmitStageTest::charging)) {
      HttpResponse<String> r = harness.http.get("/");

      assertThat(r.statusCode()).isEqualTo(200);
      // 8 prompt tokens as the chat format counts "x", plus max_tokens 10
      assertThat(r.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue(String.valueOf(1000 - 18));
      assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("1");
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        assertThat(status().team().concurrent()).isZero();
        assertThat(status().reservedNanos()).isZero();
        assertThat(status().spentNanos()).isEqualTo(CHARGED.costNanos());
        assertThat(status().team().tokens()).isEqualTo(CHARGED.usage().totalTokens());
      });
    }
  }

  /** Issue 20, defect 4: a request asking for more output than the model can write reserves the model's limit. */
  @Test
  void a_max_tokens_above_the_models_output_limit_reserves_only_that_limit() {
    try (StageHarness harness = StageHarness.start(ctx -> {
      ctx.caller(StageHarness.caller(TEAM));
      StageHarness.read(ctx, "{\"model\":\"m\",\"max_tokens\":2147483647,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
      ctx.route(new dev.tollgate.route.Route("m", "m", List.of(new RouteTarget("p", "m", 1)), 50, null));
    }, h -> {
      quotas = new QuotaGate(h.vertx, new LocalQuotas(), new GatewayConfig.Quota(4096, new BigDecimal("1"), Duration.ofSeconds(30),
          GatewayConfig.FailMode.OPEN, List.of(), Duration.ofMillis(500)), h.metrics, Clock.systemUTC());
      return List.of(new AdmitStage(quotas, PriceBook.empty(), 4096), h.answer200());
    })) {
      HttpResponse<String> r = harness.http.get("/");

      assertThat(r.statusCode()).isEqualTo(200);
      // 8 prompt tokens plus the model's 50, not 2^31 - 1 (which the limit of 1000 would refuse)
      assertThat(r.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue(String.valueOf(1000 - 58));
    }
  }

  @Test
  void a_refused_request_goes_no_further_and_holds_nothing() {
    try (StageHarness harness = harness(AdmitStageTest::charging)) {
      harness.http.get("/");
      harness.http.get("/");
      HttpResponse<String> third = harness.http.get("/");

      assertThat(third.statusCode()).isEqualTo(429);
      assertThat(new JsonObject(third.body()).getJsonObject("error").getString("type")).isEqualTo("rate_limit_exceeded");
      assertThat(third.headers().firstValue("retry-after")).isPresent();
      assertThat(third.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
      assertThat(harness.reached).hasSize(2);
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(status().team().concurrent()).isZero());
      assertThat(harness.metrics.scrape()).contains("tollgate_quota_refusals_total{reason=\"rpm\",team=\"alpha\"} 1.0");
    }
  }

  @Test
  void a_request_that_fails_after_admission_is_still_settled() {
    Stage failing = (ctx, next) -> Future.failedFuture(new IllegalStateException("upstream exploded"));
    try (StageHarness h = harness(x -> List.of(failing))) {
      assertThat(h.http.get("/").statusCode()).isEqualTo(500);
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        assertThat(status().team().concurrent()).isZero();
        assertThat(status().reservedNanos()).isZero();
        assertThat(status().team().tokens()).isZero();
      });
    }
  }
}
