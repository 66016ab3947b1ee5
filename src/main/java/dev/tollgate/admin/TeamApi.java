package dev.tollgate.admin;

import dev.tollgate.auth.Authenticator;
import dev.tollgate.auth.Caller;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.core.QueryString;
import dev.tollgate.pipeline.ErrorReply;
import dev.tollgate.pipeline.RequestIds;
import dev.tollgate.quota.QuotaView;
import dev.tollgate.store.LedgerStore;
import dev.tollgate.store.TeamStore;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Team self-service behind a team key: the caller's own usage (as {@code /admin/usage}, the team implied), its
 * quota, and its keys. Every query is pinned to the caller's team; a {@code team=} naming another team is refused,
 * so a key can never read a team it does not belong to.
 */
public final class TeamApi {
  private final Authenticator authenticator;
  private final UsageQueries usage;
  private final QuotaView quotas;
  private final TeamStore store;
  private final Clock clock;

  public TeamApi(Authenticator authenticator, LedgerStore ledger, TeamStore store, QuotaView quotas, Clock clock) {
    this.authenticator = authenticator;
    this.usage = new UsageQueries(ledger, clock);
    this.quotas = quotas;
    this.store = store;
    this.clock = clock;
  }

  public void mount(Router router) {
    route(router, "/team/usage", (c, params) -> usage.usage(ownTeam(c, params), false));
    route(router, "/team/usage.csv", (c, params) -> usage.usage(ownTeam(c, params), true));
    route(router, "/team/usage/records", (c, params) -> usage.records(ownTeam(c, params)));
    route(router, "/team/quota", (c, params) -> quotas.of(c.team(), c.key()).map(q -> new AdminApi.Reply(200, q)));
    route(router, "/team/keys", (c, params) -> store.keysOf(c.team().id()).map(keys -> new AdminApi.Reply(200,
        AdminJson.list(keys.stream().map(k -> AdminJson.key(k, clock.instant())).toList()))));
    route(router, "/team", (c, params) -> Future.succeededFuture(new AdminApi.Reply(200, AdminJson.team(c.team())
        .put("key", c.key().id()).put("key_name", c.key().name()).put("key_prefix", c.key().prefix()))));
  }

  /** The query's parameters with the team set to the caller's; another team named is a 403. */
  private static QueryString ownTeam(Caller caller, QueryString params) {
    String own = caller.team().id();
    List<String> named = params.getAll("team");
    for (String t : named) {
      if (!t.isEmpty() && !t.equals(own)) {
        throw new GatewayFailure(403, "invalid_request_error", "team_not_allowed", "team",
            "A team key reads only its own team's data ('" + own + "'); use the admin API for other teams.");
      }
    }
    return params.with("team", own);
  }

  private void route(Router router, String path, BiFunction<Caller, QueryString, Future<AdminApi.Reply>> handler) {
    router.get(path).handler(ctx -> {
      RequestIds.of(ctx.request());
      Future<AdminApi.Reply> reply;
      try {
        reply = handler.apply(authenticator.authenticate(ctx.request()), QueryString.parse(ctx.request().query()));
      } catch (RuntimeException e) {
        reply = Future.failedFuture(e);
      }
      reply.onComplete(ar -> send(ctx, ar.failed() ? null : ar.result(), ar.cause()));
    });
  }

  private static void send(RoutingContext ctx, AdminApi.Reply reply, Throwable failure) {
    if (failure != null) {
      ErrorReply.send(ctx.response(), failure);
      return;
    }
    reply.send(ctx.response().putHeader("cache-control", "no-store"));
  }
}
