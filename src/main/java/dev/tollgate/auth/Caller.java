package dev.tollgate.auth;

import dev.tollgate.team.Team;
import dev.tollgate.team.TeamKey;

/**
 * Who is calling: the team and the key it presented. {@code synthetic}: the gateway itself, warming up (see
 * {@link WarmUpPass}); such a request is never billed, never counted against a team's quotas, never logged or metered.
 */
public record Caller(Team team, TeamKey key, boolean synthetic) {
  /** A team's caller. */
  public Caller(Team team, TeamKey key) {
    this(team, key, false);
  }

  public boolean mayUse(String model) {
    return team.mayUse(model) && key.mayUse(model);
  }
}
