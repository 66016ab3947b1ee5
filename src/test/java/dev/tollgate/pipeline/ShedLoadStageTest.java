package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ShedLoadStageTest {
  @Test
  void while_the_ledger_is_behind_requests_get_503_with_retry_after_and_are_counted() {
    AtomicBoolean behind = new AtomicBoolean(true);
    try (StageHarness h = StageHarness.start(ctx -> { }, x -> List.of(new ShedLoadStage(behind::get, x.metrics), x.answer200()))) {
      HttpResponse<String> shed = h.http.get("/");
      assertThat(shed.statusCode()).isEqualTo(503);
      assertThat(shed.headers().firstValue("retry-after")).hasValue("1");
      assertThat(h.metrics.scrape()).contains("tollgate_load_shed_total 1.0");

      behind.set(false);
      assertThat(h.http.get("/").statusCode()).isEqualTo(200);
      assertThat(h.reached).hasSize(1);
    }
  }
}
