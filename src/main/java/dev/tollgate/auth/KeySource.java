package dev.tollgate.auth;

import dev.tollgate.team.Team;
import dev.tollgate.team.TeamKey;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Where teams and keys are kept: auth's port, implemented by the store. */
public interface KeySource {
  /** Goes up on every change to teams or keys. */
  Future<Long> version();

  Future<List<Team>> teams();

  Future<List<TeamKey>> keys();

  /** Records keys' last-used times in one batch. */
  Future<Void> touchKeys(Map<String, Instant> lastUsed);
}
