package dev.tollgate.auth;

import dev.tollgate.team.Team;
import dev.tollgate.team.TeamKey;

/** Who is calling: the team and the key it presented. */
public record Caller(Team team, TeamKey key) {
  public boolean mayUse(String model) {
    return team.mayUse(model) && key.mayUse(model);
  }
}
