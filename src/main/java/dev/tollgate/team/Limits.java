package dev.tollgate.team;

/**
 * Rate limits; a null field means "no limit at this level". A key's limits may only tighten its
 * team's, never loosen them.
 */
public record Limits(Long rpm, Long tpm, Long concurrent) {
  public static final Limits NONE = new Limits(null, null, null);

  /** Whether any limit is set. */
  public boolean any() {
    return rpm != null || tpm != null || concurrent != null;
  }

  public boolean isLooserThan(Limits team) {
    return looser(rpm, team.rpm) || looser(tpm, team.tpm) || looser(concurrent, team.concurrent);
  }

  private static boolean looser(Long mine, Long teams) {
    return teams != null && (mine == null ? false : mine > teams);
  }
}
