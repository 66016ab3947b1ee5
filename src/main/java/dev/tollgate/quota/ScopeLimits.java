package dev.tollgate.quota;

import dev.tollgate.team.Limits;

/** The rate limits of one scope (a team or a key); a null field means no limit. */
public record ScopeLimits(Long rpm, Long tpm, Long concurrent) {
  static final ScopeLimits NONE = new ScopeLimits(null, null, null);

  static ScopeLimits of(Limits l) {
    return new ScopeLimits(l.rpm(), l.tpm(), l.concurrent());
  }

  /** The same limits but for tokens: for a request that uses none. */
  ScopeLimits withoutTokens() {
    return new ScopeLimits(rpm, null, concurrent);
  }
}
