package dev.tollgate.mock;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The fake provider on a port of its own, and a plain HTTP client to talk to it. */
final class MockServer implements AutoCloseable {
  /** One server-sent event: its {@code event:} name (null when it has none) and its data. */
  record Event(String name, String data) {
    JsonObject json() {
      return new JsonObject(data);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final MockProvider mock;

  MockServer() throws Exception {
    mock = MockProvider.start(vertx, "127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  String baseUrl() {
    return "http://127.0.0.1:" + mock.port();
  }

  /** POSTs a JSON body, with headers given as name, value, name, value... */
  HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) r.header(headers[i], headers[i + 1]);
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonObject postJson(String path, String body, String... headers) throws Exception {
    return new JsonObject(post(path, body, headers).body());
  }

  /** The events of a stream, in order; {@code [DONE]} is an event with that data. */
  static List<Event> events(String stream) {
    List<Event> events = new ArrayList<>();
    for (String block : stream.split("\n\n")) {
      String name = null;
      StringBuilder data = new StringBuilder();
      for (String line : block.split("\n")) {
        if (line.startsWith("event: ")) name = line.substring(7);
        if (line.startsWith("data: ")) data.append(line.substring(6));
      }
      if (!data.isEmpty()) events.add(new Event(name, data.toString()));
    }
    return events;
  }

  List<Event> stream(String path, String body, String... headers) throws Exception {
    return events(post(path, body, headers).body());
  }

  @Override
  public void close() throws Exception {
    mock.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
