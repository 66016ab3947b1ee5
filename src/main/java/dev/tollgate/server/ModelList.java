package dev.tollgate.server;

import dev.tollgate.auth.Caller;
import dev.tollgate.route.ModelRouter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** {@code GET /v1/models}: the models (and their aliases) the calling key may use. */
final class ModelList {
  private final ModelRouter router;

  ModelList(ModelRouter router) {
    this.router = router;
  }

  String of(Caller caller) {
    JsonArray data = new JsonArray();
    for (String model : router.modelNames()) {
      boolean allowed = caller.mayUse(model);
      if (allowed) data.add(entry(model));
      for (String alias : router.aliasesOf(model)) {
        if (allowed || caller.mayUse(alias)) data.add(entry(alias));
      }
    }
    return new JsonObject().put("object", "list").put("data", data).encode();
  }

  private static JsonObject entry(String id) {
    return new JsonObject().put("id", id).put("object", "model").put("created", 0).put("owned_by", "tollgate");
  }
}
