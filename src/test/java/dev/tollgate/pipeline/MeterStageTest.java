package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tollgate.billing.Ledger;
import dev.tollgate.billing.Price;
import dev.tollgate.billing.PriceBook;
import dev.tollgate.billing.UsageEvent;
import dev.tollgate.billing.UsageMeter;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.core.Usage;
import dev.tollgate.route.RouteTarget;
import dev.tollgate.store.Database;
import dev.tollgate.store.LedgerStore;
import dev.tollgate.support.TestStack;
import dev.tollgate.team.Limits;
import dev.tollgate.wire.Answer;
import io.vertx.core.Future;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Billing's after-work: one usage record per request, whatever happened, and the charge left for admission. */
class MeterStageTest {
  private static final String BODY = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
  private Database db;
  private Ledger ledger;
  private LedgerStore store;

  private StageHarness harness(Stage after) {
    PriceBook prices = new PriceBook(Map.of("m", new Price(new BigDecimal("0.5"), new BigDecimal("0.5"),
        new BigDecimal("1.5"), new BigDecimal("1.5"))));
    return StageHarness.start(ctx -> {
      ctx.caller(StageHarness.caller(StageHarness.team("alpha", Limits.NONE)));
      StageHarness.read(ctx, BODY);
      ctx.route(StageHarness.route("m", new RouteTarget("p", "m", 1)));
    }, h -> {
      db = Database.open(h.vertx, TestStack.newSqliteStore());
      store = new LedgerStore(db);
      ledger = new Ledger(h.vertx, store, new GatewayConfig.Billing(500, Duration.ofMillis(50), 1000, Duration.ofDays(90)),
          h.metrics, Clock.systemUTC());
      ledger.start();
      h.onClose(() -> TestStack.await(ledger.flush(Duration.ofSeconds(5)).transform(x -> ledger.close()).transform(x -> db.close())));
      return List.of(new MeterStage(new UsageMeter(prices, ledger, h.metrics)), after);
    });
  }

  private UsageEvent record(String requestId) {
    UsageEvent[] found = new UsageEvent[1];
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      List<UsageEvent> rs = TestStack.await(store.records("alpha", requestId, Instant.EPOCH, Instant.now().plusSeconds(60), 10));
      found[0] = rs.isEmpty() ? null : rs.get(0);
      return rs.size() == 1;
    });
    return found[0];
  }

  @Test
  void an_answered_request_is_billed_from_the_providers_usage_and_leaves_its_charge() {
    Stage answered = (ctx, next) -> {
      ctx.outcome().status(200);
      ctx.outcome().answer(new Answer(new Usage(8, 4, 0, 0), null));
      return ctx.response().end("{}");
    };
    try (StageHarness h = harness(answered)) {
      assertThat(h.http.get("/", "x-request-id", "meter-1").statusCode()).isEqualTo(200);

      UsageEvent rec = record("meter-1");
      assertThat(rec.usage()).isEqualTo(new Usage(8, 4, 0, 0));
      assertThat(rec.costNanos()).isEqualTo(8 * 500 + 4 * 1500);
      assertThat(rec.estimated()).isFalse();
      assertThat(rec.status()).isEqualTo(200);
      assertThat(rec.endpoint()).isEqualTo("chat_completions");
      await().atMost(Duration.ofSeconds(5)).until(() -> h.last().charge() != null);
      assertThat(h.last().charge().costNanos()).isEqualTo(rec.costNanos());
    }
  }

  @Test
  void a_request_that_failed_before_any_upstream_is_recorded_with_its_status_at_no_cost() {
    Stage failing = (ctx, next) -> Future.failedFuture(GatewayFailure.upstreamUnreachable("p"));
    try (StageHarness h = harness(failing)) {
      assertThat(h.http.get("/", "x-request-id", "meter-2").statusCode()).isEqualTo(502);

      UsageEvent rec = record("meter-2");
      assertThat(rec.status()).isEqualTo(502);
      assertThat(rec.usage()).isEqualTo(Usage.ZERO);
      assertThat(rec.costNanos()).isZero();
      assertThat(rec.provider()).isNull();
    }
  }
}
