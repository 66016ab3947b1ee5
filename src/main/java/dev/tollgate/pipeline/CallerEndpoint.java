package dev.tollgate.pipeline;

import dev.tollgate.auth.Authenticator;
import dev.tollgate.auth.Caller;
import dev.tollgate.core.GatewayFailure;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.function.Function;

/**
 * A small read-only endpoint behind a team key, outside the proxy pipeline (the model list, a team's
 * own quota and usage): authenticates like the pipeline does, then answers the handler's JSON or the error.
 */
public final class CallerEndpoint {
  private final Authenticator authenticator;

  public CallerEndpoint(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  /** @param answer the JSON text to answer with, for the authenticated caller */
  public void handle(HttpServerRequest request, Function<Caller, Future<String>> answer) {
    HttpServerResponse response = request.response();
    RequestIds.of(request);
    Future<String> json;
    try {
      json = answer.apply(authenticator.authenticate(request));
    } catch (GatewayFailure f) {
      json = Future.failedFuture(f);
    }
    json.onComplete(ar -> {
      if (ar.failed()) ErrorReply.send(response, ar.cause());
      else response.putHeader("content-type", "application/json").end(ar.result());
    });
  }
}
