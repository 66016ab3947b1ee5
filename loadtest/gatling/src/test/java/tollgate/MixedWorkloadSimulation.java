package tollgate;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.substring;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A realistic mixed workload through Tollgate: three teams with their own keys and traffic shares,
 * three chat models, half of the requests streamed (paced by the fake provider, read to the final
 * {@code data: [DONE]}), the other half plain JSON answers after a variable provider latency.
 *
 * <p>System properties (gatling.sh sets them): {@code tollgate.url}, {@code duration} (seconds of steady
 * load, after a ramp of a sixth of it), {@code rate} (new users per second, all teams together), and
 * {@code key.search}, {@code key.support}, {@code key.analytics} (the team keys of gateway-gatling.yaml).
 * Every user runs a short session: a few requests with think time in between.
 */
public class MixedWorkloadSimulation extends Simulation {
  static final String URL = System.getProperty("tollgate.url", "http://127.0.0.1:18180");
  static final int DURATION_S = Integer.getInteger("duration", 60);
  static final double RATE = Double.parseDouble(System.getProperty("rate", "20"));
  static final List<String> MODELS = List.of("gpt-4o-mini", "gpt-4o", "gpt-4.1");
  static final List<String> PROMPTS = List.of(
      "Summarise the quarterly report in three bullet points.",
      "Translate 'the invoice is overdue' into French and German.",
      "Write a SQL query that lists the ten largest customers by revenue.",
      "Explain the difference between a mutex and a semaphore.",
      "Draft a polite reply declining the meeting invitation.",
      "What are the main risks of migrating the billing service to Kubernetes?");

  HttpProtocolBuilder protocol = http.baseUrl(URL)
      .contentTypeHeader("application/json")
      .acceptHeader("application/json, text/event-stream")
      .userAgentHeader("gatling-tollgate-loadtest");

  /** A random model, prompt and answer size for the next request of this user. */
  static Session pick(Session s) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return s.set("model", MODELS.get(r.nextInt(MODELS.size())))
        .set("prompt", PROMPTS.get(r.nextInt(PROMPTS.size())))
        .set("tokens", 16 + r.nextInt(113))            // 16..128 tokens in the answer
        .set("latencyMs", 20 + r.nextInt(181))         // provider latency before the answer, 20..200 ms
        .set("intervalMs", 10 + r.nextInt(21));        // gap between streamed tokens, 10..30 ms
  }

  static ChainBuilder chat(String team) {
    return exec(http(team + ": chat").post("/v1/chat/completions")
        .header("Authorization", "Bearer #{key}")
        .header("x-mock-tokens", "#{tokens}")
        .header("x-mock-latency-ms", "#{latencyMs}")
        .body(StringBody("{\"model\":\"#{model}\",\"user\":\"#{team}-user-#{userId}\","
            + "\"messages\":[{\"role\":\"user\",\"content\":\"#{prompt}\"}]}"))
        .check(status().is(200), jsonPath("$.choices[0].message.content").exists(),
            jsonPath("$.usage.total_tokens").exists()));
  }

  static ChainBuilder chatStream(String team) {
    return exec(http(team + ": chat stream").post("/v1/chat/completions")
        .header("Authorization", "Bearer #{key}")
        .header("x-mock-tokens", "#{tokens}")
        .header("x-mock-interval-ms", "#{intervalMs}")
        .body(StringBody("{\"model\":\"#{model}\",\"stream\":true,\"user\":\"#{team}-user-#{userId}\","
            + "\"messages\":[{\"role\":\"user\",\"content\":\"#{prompt}\"}]}"))
        .check(status().is(200), substring("data: [DONE]").exists(), substring("\"finish_reason\":\"stop\"").exists()));
  }

  static ScenarioBuilder team(String team) {
    String key = System.getProperty("key." + team, "tg-gatling-" + team + "-key-0123456789abcdefghij");
    return scenario(team).exec(s -> s.set("team", team).set("key", key)
            .set("userId", ThreadLocalRandom.current().nextInt(1, 1000)))
        .repeat(s -> ThreadLocalRandom.current().nextInt(1, 5)).on(
            exec(MixedWorkloadSimulation::pick)
                .exec(randomSwitch().on(
                    io.gatling.javaapi.core.CoreDsl.percent(50.0).then(chat(team)),
                    io.gatling.javaapi.core.CoreDsl.percent(50.0).then(chatStream(team))))
                .pause(Duration.ofMillis(100), Duration.ofMillis(800)));
  }

  /** A team's users arrive at {@code share} of the total rate: a ramp, then a steady period. */
  static PopulationBuilder load(String team, double share) {
    double rate = RATE * share;
    int ramp = Math.max(5, DURATION_S / 6);
    return team(team).injectOpen(
        rampUsersPerSec(Math.max(0.1, rate / 10)).to(rate).during(Duration.ofSeconds(ramp)),
        constantUsersPerSec(rate).during(Duration.ofSeconds(DURATION_S)));
  }

  {
    setUp(load("search", 0.5), load("support", 0.3), load("analytics", 0.2))
        .protocols(protocol)
        .maxDuration(Duration.ofSeconds(DURATION_S * 2L + 120))
        .assertions(global().failedRequests().percent().lt(1.0), global().responseTime().percentile(50.0).lt(5000));
  }
}
