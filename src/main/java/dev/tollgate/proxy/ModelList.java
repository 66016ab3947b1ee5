package dev.tollgate.proxy;

import dev.tollgate.auth.Authenticator;
import dev.tollgate.auth.Caller;
import dev.tollgate.route.ModelRouter;
import dev.tollgate.server.ErrorResponses;
import dev.tollgate.server.GatewayFailure;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** {@code GET /v1/models}: the models (and their aliases) the calling key may use. */
public final class ModelList {
  private final Authenticator authenticator;
  private final ModelRouter router;

  public ModelList(Authenticator authenticator, ModelRouter router) {
    this.authenticator = authenticator;
    this.router = router;
  }

  public void handle(HttpServerRequest request) {
    Caller caller;
    try {
      caller = authenticator.authenticate(request);
    } catch (GatewayFailure f) {
      ErrorResponses.send(request.response(), f);
      return;
    }
    JsonArray data = new JsonArray();
    for (String model : router.modelNames()) {
      boolean allowed = caller.mayUse(model);
      if (allowed) data.add(entry(model));
      for (String alias : router.aliasesOf(model)) {
        if (allowed || caller.mayUse(alias)) data.add(entry(alias));
      }
    }
    request.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("object", "list").put("data", data).toBuffer());
  }

  private static JsonObject entry(String id) {
    return new JsonObject().put("id", id).put("object", "model").put("created", 0).put("owned_by", "tollgate");
  }
}
