package dev.tollgate.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.team.Limits;
import dev.tollgate.team.Team;
import dev.tollgate.team.TeamKey;
import dev.tollgate.wire.StrictJson;
import java.time.Instant;
import java.util.List;

/** How teams and keys look in the admin API. A key's secret appears only in the answer that creates it. */
final class AdminJson {
  static final ObjectMapper JSON = new ObjectMapper();
  /** For what an admin sends: one JSON value, no key twice (see {@link StrictJson}). */
  static final ObjectReader STRICT = StrictJson.reader(JSON);

  private AdminJson() {}

  static ObjectNode team(Team t) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", t.id());
    o.put("name", t.name());
    if (t.budget() == null) {
      o.putNull("budget");
    } else {
      o.putObject("budget").put("usd", t.budget().usd()).put("period", t.budget().period().wireName());
    }
    o.set("limits", limits(t.limits()));
    o.set("models", strings(t.allowedModels()));
    ObjectNode meta = o.putObject("metadata");
    t.metadata().forEach(meta::put);
    o.put("source", t.seeded() ? "config" : "api");
    o.put("created_at", t.createdAt().toString());
    o.put("updated_at", t.updatedAt().toString());
    return o;
  }

  static ObjectNode key(TeamKey k, Instant now) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", k.id());
    o.put("team_id", k.teamId());
    o.put("name", k.name());
    o.put("prefix", k.prefix());
    o.put("status", k.revoked() ? "revoked" : k.isActive(now) ? "active" : "expired");
    time(o, "expires_at", k.expiresAt());
    o.set("models", strings(k.allowedModels()));
    o.set("limits", limits(k.limits()));
    o.put("revoked", k.revoked());
    o.put("created_at", k.createdAt().toString());
    time(o, "last_used_at", k.lastUsedAt());
    return o;
  }

  static ObjectNode limits(Limits l) {
    ObjectNode o = JSON.createObjectNode();
    put(o, "rpm", l.rpm());
    put(o, "tpm", l.tpm());
    put(o, "concurrent", l.concurrent());
    return o;
  }

  static ArrayNode strings(List<String> values) {
    ArrayNode a = JSON.createArrayNode();
    values.forEach(a::add);
    return a;
  }

  static ObjectNode list(List<ObjectNode> items) {
    ObjectNode o = JSON.createObjectNode();
    o.put("object", "list");
    o.putArray("data").addAll(items);
    return o;
  }

  private static void put(ObjectNode o, String field, Long value) {
    if (value == null) o.putNull(field);
    else o.put(field, value);
  }

  private static void time(ObjectNode o, String field, Instant t) {
    if (t == null) o.putNull(field);
    else o.put(field, t.toString());
  }
}
