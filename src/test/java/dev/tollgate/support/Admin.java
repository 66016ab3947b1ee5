package dev.tollgate.support;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls the admin API with the test admin token. */
public final class Admin {
  private final Http http;
  private final String base;

  public Admin(TestStack stack) {
    this.http = stack.http;
    this.base = stack.baseUrl();
  }

  public HttpResponse<String> call(String method, String path, String body) {
    return callWith(TestStack.ADMIN_TOKEN, method, path, body);
  }

  public HttpResponse<String> callWith(String token, String method, String path, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(15))
        .header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("authorization", "Bearer " + token);
    return http.send(b.build());
  }

  public JsonObject ok(String method, String path, String body) {
    HttpResponse<String> r = call(method, path, body);
    if (r.statusCode() / 100 != 2) throw new AssertionError(method + " " + path + " -> " + r.statusCode() + " " + r.body());
    return r.body().isEmpty() ? new JsonObject() : new JsonObject(r.body());
  }

  /** Creates a key for a team and returns the created key (with its one-time secret). */
  public JsonObject newKey(String team, String body) {
    return ok("POST", "/admin/teams/" + team + "/keys", body == null ? "{\"name\":\"k\"}" : body);
  }
}
