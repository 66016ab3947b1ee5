package dev.tollgate.auth;

import dev.tollgate.core.Ids;
import dev.tollgate.team.Budget;
import dev.tollgate.team.BudgetPeriod;
import dev.tollgate.team.Limits;
import dev.tollgate.team.Team;
import dev.tollgate.team.TeamKey;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The warm-up's credential: a random secret made when the gateway starts, known only to this process, accepted
 * only until {@link #close()} (the warm-up's end; a pass made closed never opens). Its caller is synthetic, with a
 * team of its own whose limits and budget no request reaches, so that admission runs its whole course for it.
 */
public final class WarmUpPass {
  private static final Caller CALLER = new Caller(
      new Team(Ids.WARM_UP, Ids.WARM_UP, new Budget(new BigDecimal("1000000000"), BudgetPeriod.MONTHLY),
          new Limits(1_000_000_000L, 1_000_000_000_000L, 1_000_000L), List.of(), Map.of(), false, Instant.EPOCH, Instant.EPOCH),
      new TeamKey(Ids.WARM_UP, Ids.WARM_UP, Ids.WARM_UP, "", "", null, List.of(), Limits.NONE, false, Instant.EPOCH, null),
      true);

  private final String secret = KeyHash.newSecret();
  private volatile boolean open;

  private WarmUpPass(boolean open) {
    this.open = open;
  }

  /** A pass accepted until closed. */
  public static WarmUpPass open() {
    return new WarmUpPass(true);
  }

  /** A pass never accepted: no warm-up. */
  public static WarmUpPass none() {
    return new WarmUpPass(false);
  }

  /** The secret to present, as a team key is presented. */
  public String secret() {
    return secret;
  }

  /** The synthetic caller, if the pass is still accepted and {@code presented} is its secret (compared in constant time); else null. */
  Caller caller(String presented) {
    return open && KeyHash.same(secret, presented) ? CALLER : null;
  }

  /** From now on, the secret is an unknown key like any other (401). */
  public void close() {
    open = false;
  }

  public boolean isOpen() {
    return open;
  }
}
