package dev.tollgate.quota;

/** What to report on: a team, optionally one of its keys, with their limits and budget period. */
public record StatusRequest(String teamId, String keyId, ScopeLimits team, ScopeLimits key, String periodId, long nowMillis) {}
