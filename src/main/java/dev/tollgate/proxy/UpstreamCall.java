package dev.tollgate.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.provider.ProviderAdapter;
import dev.tollgate.route.RouteTarget;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Sends a request to one target: rewrites the model name, asks for stream usage, removes the
 * client's credential and puts the provider's key on instead.
 */
final class UpstreamCall {
  /** Client headers never forwarded: credentials, hop-by-hop headers and what the gateway sets itself. */
  private static final Set<String> NOT_FORWARDED = Set.of(
      "authorization", "api-key", "x-api-key", "host", "content-length", "connection", "keep-alive",
      "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization", "proxy-connection", "cookie",
      "accept-encoding", "x-request-id", "expect");

  private final HttpClient client;
  private final ObjectMapper json;
  private final long timeoutMs;

  UpstreamCall(HttpClient client, ObjectMapper json, long timeoutMs) {
    this.client = client;
    this.json = json;
    this.timeoutMs = timeoutMs;
  }

  Future<HttpClientResponse> send(Exchange ex, ProviderAdapter provider, RouteTarget target, int keyIndex) {
    Buffer body;
    try {
      body = Buffer.buffer(json.writeValueAsBytes(upstreamBody(ex.api, target.upstreamModel())));
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    RequestOptions options = provider.request(ex.api.endpoint(), target.upstreamModel()).setIdleTimeout(timeoutMs);
    MultiMap headers = options.getHeaders() == null ? MultiMap.caseInsensitiveMultiMap() : options.getHeaders();
    ex.request.headers().forEach((name, value) -> {
      if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) headers.add(name, value);
    });
    headers.set("content-type", "application/json");
    headers.set("x-request-id", ex.requestId);
    provider.authorize(headers, provider.keys().secret(keyIndex));
    options.setHeaders(headers);
    return client.request(options).compose(req -> {
      // failures arrive through the response future; without a handler Vert.x would also log each one
      req.exceptionHandler(e -> { });
      if (ex.clientGone) {
        req.reset();
        return Future.failedFuture(new ClientGoneException());
      }
      ex.upstreamRequest = req;
      ex.upstreamSentNanos = System.nanoTime();
      return req.send(body);
    });
  }

  /** The client's body with the upstream model name, and stream usage requested where the endpoint takes it. */
  private ObjectNode upstreamBody(ApiRequest api, String upstreamModel) {
    ObjectNode body = api.body();
    body.put("model", upstreamModel);
    if (api.stream() && api.endpoint().takesStreamOptions && !api.clientWantsUsage()) {
      JsonNodes.objectAt(body, "stream_options").put("include_usage", true);
    }
    return body;
  }

  static boolean isTimeout(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof TimeoutException || c.getClass().getSimpleName().contains("Timeout")) return true;
    }
    return false;
  }

  /** The client went away before the upstream request was sent. */
  static final class ClientGoneException extends RuntimeException {
    ClientGoneException() {
      super("client gone", null, false, false);
    }
  }
}
