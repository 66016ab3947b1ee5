package dev.tollgate.auth;

import dev.tollgate.team.Team;
import dev.tollgate.team.TeamKey;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory index the hot path resolves keys from: SHA-256 of the secret to key and team. It is
 * replaced whole on every change, so a reader always sees one consistent snapshot without locking.
 */
public final class KeyIndex {
  private record Snapshot(Map<String, Team> teams, Map<String, TeamKey> keysByHash) {}

  private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of());
  private final Set<String> touched = ConcurrentHashMap.newKeySet();

  public void replace(Collection<Team> teams, Collection<TeamKey> keys) {
    Map<String, Team> byId = new HashMap<>();
    teams.forEach(t -> byId.put(t.id(), t));
    Map<String, TeamKey> byHash = new HashMap<>();
    keys.forEach(k -> byHash.put(k.hash(), k));
    snapshot = new Snapshot(Map.copyOf(byId), Map.copyOf(byHash));
  }

  /** Every team, as of the last reload. */
  public Collection<Team> teams() {
    return snapshot.teams.values();
  }

  /** The key and team for a presented secret, or null. Expiry and revocation are checked by the caller. */
  public Caller find(String secret) {
    String hash = KeyHash.sha256Hex(secret);
    Snapshot s = snapshot;
    TeamKey key = s.keysByHash.get(hash);
    // The map lookup compares hashes, never secrets; the final check is constant-time all the same.
    if (key == null || !KeyHash.same(key.hash(), hash)) return null;
    Team team = s.teams.get(key.teamId());
    return team == null ? null : new Caller(team, key);
  }

  /** Marks a key as used; the ids are drained in batches so last-used times cost no write per request. */
  public void touch(String keyId) {
    touched.add(keyId);
  }

  public Set<String> drainTouched() {
    Set<String> out = new java.util.HashSet<>();
    for (var it = touched.iterator(); it.hasNext(); ) {
      out.add(it.next());
      it.remove();
    }
    return out;
  }
}
