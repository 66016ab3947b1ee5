package dev.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.auth.AddressLockout;
import dev.tollgate.auth.Credentials;
import dev.tollgate.auth.KeyHash;
import dev.tollgate.core.Ids;
import dev.tollgate.auth.KeyIndexSync;
import dev.tollgate.config.Secret;
import dev.tollgate.pipeline.ErrorReply;
import dev.tollgate.core.GatewayFailure;
import dev.tollgate.core.QueryString;
import dev.tollgate.quota.QuotaView;
import dev.tollgate.store.LedgerStore;
import dev.tollgate.store.StoreConflict;
import dev.tollgate.store.TeamStore;
import dev.tollgate.team.Budget;
import dev.tollgate.team.Limits;
import dev.tollgate.team.Team;
import dev.tollgate.team.TeamKey;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import io.vertx.core.buffer.Buffer;
import java.util.function.Predicate;

/**
 * The admin API for teams and keys, behind the admin token. Every change is validated whole before
 * anything is written, and the local key index is reloaded before the answer goes out, so a new key
 * works at once.
 */
public final class AdminApi {
  private static final Set<String> TEAM_CREATE = Set.of("id", "name", "budget", "limits", "models", "metadata");
  private static final Set<String> TEAM_PATCH = Set.of("name", "budget", "limits", "models", "metadata");
  private static final Set<String> KEY_CREATE = Set.of("name", "expires_at", "models", "limits");
  private static final Set<String> KEY_ROTATE = Set.of("grace_seconds");
  /** A year: the longest an old secret may keep working after a rotation. */
  private static final long MAX_GRACE_SECONDS = 365L * 24 * 3600;

  /** What an admin handler answers: a status and a JSON body, or CSV text, or neither (204). */
  record Reply(int status, JsonNode body, String csv) {
    Reply(int status, JsonNode body) {
      this(status, body, null);
    }

    /** Writes this reply: CSV as a download, JSON, or no body. */
    void send(io.vertx.core.http.HttpServerResponse response) {
      response.setStatusCode(status);
      if (csv != null) {
        response.putHeader("content-type", "text/csv; charset=utf-8")
            .putHeader("content-disposition", "attachment; filename=\"tollgate-usage.csv\"").end(csv);
      } else if (body == null) {
        response.end();
      } else {
        response.putHeader("content-type", "application/json").end(body.toString());
      }
    }
  }

  private final TeamStore store;
  private final KeyIndexSync sync;
  private final Secret adminToken;
  private final Predicate<String> knownModel;
  private final Duration rotationGrace;
  private final Clock clock;
  private final UsageQueries usage;
  private final QuotaView quotas;
  private final AddressLockout lockout;

  /** @param lockout slows down guessing the admin token, per source address */
  public AdminApi(TeamStore store, LedgerStore ledger, KeyIndexSync sync, QuotaView quotas, Secret adminToken,
      AddressLockout lockout, Predicate<String> knownModel, Duration rotationGrace, Clock clock) {
    this.lockout = lockout;
    this.usage = new UsageQueries(ledger, clock);
    this.quotas = quotas;
    this.store = store;
    this.sync = sync;
    this.adminToken = adminToken;
    this.knownModel = knownModel;
    this.rotationGrace = rotationGrace;
    this.clock = clock;
  }

  public void mount(Router router) {
    route(router, HttpMethod.POST, "/admin/teams", this::createTeam);
    route(router, HttpMethod.GET, "/admin/teams", (ctx, body) -> store.teams()
        .map(ts -> new Reply(200, AdminJson.list(ts.stream().map(AdminJson::team).toList()))));
    route(router, HttpMethod.GET, "/admin/teams/:id", (ctx, body) -> existingTeam(ctx.pathParam("id")).map(t -> new Reply(200, AdminJson.team(t))));
    route(router, HttpMethod.PATCH, "/admin/teams/:id", this::patchTeam);
    route(router, HttpMethod.DELETE, "/admin/teams/:id", (ctx, body) -> store.deleteTeam(ctx.pathParam("id")).compose(deleted -> {
      if (!deleted) throw noTeam(ctx.pathParam("id"));
      return sync.reload().map(v -> new Reply(204, null));
    }));
    route(router, HttpMethod.POST, "/admin/teams/:id/keys", this::createKey);
    route(router, HttpMethod.GET, "/admin/teams/:id/keys", (ctx, body) -> existingTeam(ctx.pathParam("id"))
        .compose(t -> store.keysOf(t.id()))
        .map(ks -> new Reply(200, AdminJson.list(ks.stream().map(k -> AdminJson.key(k, clock.instant())).toList()))));
    route(router, HttpMethod.GET, "/admin/keys/:id", (ctx, body) -> existingKey(ctx.pathParam("id"))
        .map(k -> new Reply(200, AdminJson.key(k, clock.instant()))));
    route(router, HttpMethod.POST, "/admin/keys/:id/revoke", (ctx, body) -> store.revokeKey(ctx.pathParam("id")).compose(k -> {
      if (k == null) throw noKey(ctx.pathParam("id"));
      return sync.reload().map(v -> new Reply(200, AdminJson.key(k, clock.instant())));
    }));
    route(router, HttpMethod.POST, "/admin/keys/:id/rotate", this::rotateKey);
    route(router, HttpMethod.GET, "/admin/teams/:id/quota", (ctx, body) -> existingTeam(ctx.pathParam("id"))
        .compose(t -> quotas.of(t, null)).map(v -> new Reply(200, v)));
    route(router, HttpMethod.GET, "/admin/keys/:id/quota", (ctx, body) -> existingKey(ctx.pathParam("id"))
        .compose(k -> existingTeam(k.teamId()).compose(t -> quotas.of(t, k))).map(v -> new Reply(200, v)));
    route(router, HttpMethod.GET, "/admin/usage", (ctx, body) -> usage.usage(QueryString.parse(ctx.request().query()), false));
    route(router, HttpMethod.GET, "/admin/usage.csv", (ctx, body) -> usage.usage(QueryString.parse(ctx.request().query()), true));
    route(router, HttpMethod.GET, "/admin/usage/records", (ctx, body) -> usage.records(QueryString.parse(ctx.request().query())));
  }

  // ---- handlers

  private Future<Reply> createTeam(RoutingContext ctx, Buffer body) {
    AdminInput in = AdminInput.parse(body, TEAM_CREATE);
    Instant now = clock.instant();
    String id = in.id("id");
    String name = in.string("name", false);
    Team team = new Team(id, name == null ? id : name, in.budget(), in.limits(Limits.NONE), in.models(knownModel),
        in.metadata(), false, now, now);
    return store.createTeam(team).compose(t -> sync.reload().map(v -> new Reply(201, AdminJson.team(t))));
  }

  private Future<Reply> patchTeam(RoutingContext ctx, Buffer body) {
    AdminInput in = AdminInput.parse(body, TEAM_PATCH);
    return existingTeam(ctx.pathParam("id")).compose(t -> {
      String name = in.has("name") ? in.string("name", true) : t.name();
      Budget budget = in.has("budget") ? in.budget() : t.budget();
      Team updated = new Team(t.id(), name, budget, in.limits(t.limits()),
          in.has("models") ? in.models(knownModel) : t.allowedModels(),
          in.has("metadata") ? in.metadata() : t.metadata(), t.seeded(), t.createdAt(), clock.instant());
      return store.updateTeam(updated);
    }).compose(t -> {
      if (t == null) throw noTeam(ctx.pathParam("id"));
      return sync.reload().map(v -> new Reply(200, AdminJson.team(t)));
    });
  }

  private Future<Reply> createKey(RoutingContext ctx, Buffer body) {
    AdminInput in = AdminInput.parse(body, KEY_CREATE);
    Instant now = clock.instant();
    String name = in.string("name", true);
    Instant expires = in.instant("expires_at", now);
    List<String> models = in.models(knownModel);
    Limits limits = in.limits(Limits.NONE);
    return existingTeam(ctx.pathParam("id")).compose(team -> {
      checkNotLooser(team, models, limits);
      String secret = KeyHash.newSecret();
      TeamKey key = new TeamKey(newKeyId(), team.id(), name, KeyHash.sha256Hex(secret), KeyHash.displayPrefix(secret),
          expires, models, limits, false, now, null);
      return store.createKey(key).compose(k -> sync.reload().map(v -> new Reply(201, withSecret(k, secret, now))));
    });
  }

  private Future<Reply> rotateKey(RoutingContext ctx, Buffer body) {
    AdminInput in = AdminInput.parse(body, KEY_ROTATE);
    Long graceSeconds = in.seconds("grace_seconds", MAX_GRACE_SECONDS);
    Duration grace = graceSeconds == null ? rotationGrace : Duration.ofSeconds(graceSeconds);
    Instant now = clock.instant();
    return existingKey(ctx.pathParam("id")).compose(old -> {
      checkRotatable(old, now);
      String secret = KeyHash.newSecret();
      // the new secret replaces the old one and nothing more: same expiry, models and limits
      TeamKey replacement = new TeamKey(newKeyId(), old.teamId(), old.name(), KeyHash.sha256Hex(secret),
          KeyHash.displayPrefix(secret), old.expiresAt(), old.allowedModels(), old.limits(), false, now, null);
      return store.rotateKey(old.id(), replacement, now.plus(grace)).compose(k -> {
        if (k == null) throw noKey(old.id());
        return sync.reload().map(v -> {
          ObjectNode answer = withSecret(k, secret, now);
          answer.put("replaces", old.id());
          answer.put("replaced_key_expires_at", now.plus(grace).toString());
          return new Reply(201, answer);
        });
      });
    });
  }

  // ---- helpers

  private void route(Router router, HttpMethod method, String path, BiFunction<RoutingContext, Buffer, Future<Reply>> handler) {
    router.route(method, path).handler(ctx -> {
      GatewayFailure refused = refusal(ctx);
      if (refused != null) {
        ErrorReply.send(ctx.response(), refused);
        return;
      }
      ctx.request().body().compose(body -> {
        try {
          return handler.apply(ctx, body);
        } catch (RuntimeException e) {
          return Future.failedFuture(e);
        }
      }).onComplete(ar -> {
        if (ar.failed()) {
          ErrorReply.send(ctx.response(), translate(ar.cause()));
          return;
        }
        ar.result().send(ctx.response());
      });
    });
  }

  /** Why the request may not use the admin API, or null when it may. */
  private GatewayFailure refusal(RoutingContext ctx) {
    if (adminToken == null) {
      return GatewayFailure.invalidKey("The admin API is disabled: set admin.token (for example ${env:TOLLGATE_ADMIN_TOKEN}).");
    }
    GatewayFailure lockedOut = lockout.refusal(ctx.request());
    if (lockedOut != null) return lockedOut;
    String token = Credentials.bearer(ctx.request().getHeader("authorization"));
    if (token != null && KeyHash.same(token, adminToken.reveal())) return null;
    lockout.failed(ctx.request());
    return GatewayFailure.invalidKey("A valid admin token is required: 'Authorization: Bearer <admin token>'.");
  }

  private static Throwable translate(Throwable t) {
    if (t instanceof StoreConflict c) return new GatewayFailure(409, "invalid_request_error", "conflict", null, c.getMessage());
    return t;
  }

  private Future<Team> existingTeam(String id) {
    return store.team(id).map(t -> {
      if (t == null) throw noTeam(id);
      return t;
    });
  }

  private Future<TeamKey> existingKey(String id) {
    return store.key(id).map(k -> {
      if (k == null) throw noKey(id);
      return k;
    });
  }

  private static void checkNotLooser(Team team, List<String> models, Limits limits) {
    if (!team.allowedModels().isEmpty()) {
      for (String m : models) {
        if (!team.allowedModels().contains(m)) throw AdminInput.invalid("models", "'" + m + "' is not among the team's models");
      }
    }
    if (limits.isLooserThan(team.limits())) {
      throw AdminInput.invalid("limits", "a key's limits may not be looser than its team's " + AdminJson.limits(team.limits()));
    }
  }

  /** A revoked or expired key stays dead: rotating it would hand out a working secret for a key that no longer works. */
  private static void checkRotatable(TeamKey key, Instant now) {
    if (key.revoked()) {
      throw new GatewayFailure(409, "invalid_request_error", "key_revoked", "id", "Key '" + key.id() + "' is revoked and cannot be rotated.");
    }
    if (!key.isActive(now)) {
      throw new GatewayFailure(409, "invalid_request_error", "key_expired", "id",
          "Key '" + key.id() + "' expired at " + key.expiresAt() + " and cannot be rotated; create a new key instead.");
    }
  }

  private ObjectNode withSecret(TeamKey key, String secret, Instant now) {
    ObjectNode body = AdminJson.key(key, now);
    body.put("secret", secret);
    return body;
  }

  private static String newKeyId() {
    return Ids.random("key_", 16);
  }

  private static GatewayFailure noTeam(String id) {
    return new GatewayFailure(404, "invalid_request_error", "team_not_found", "id", "No team with id '" + id + "'.");
  }

  private static GatewayFailure noKey(String id) {
    return new GatewayFailure(404, "invalid_request_error", "key_not_found", "id", "No key with id '" + id + "'.");
  }
}
