package dev.tollgate.team;

import java.time.Instant;
import java.util.List;

/**
 * A team's API key. Only the SHA-256 of the secret is kept, plus a short prefix to recognise it
 * by. A rotated key keeps working until {@code expiresAt}, the end of its grace period.
 */
public record TeamKey(
    String id,
    String teamId,
    String name,
    String hash,
    String prefix,
    Instant expiresAt,
    List<String> allowedModels,
    Limits limits,
    boolean revoked,
    Instant createdAt,
    Instant lastUsedAt) {

  public boolean isActive(Instant now) {
    return !revoked && (expiresAt == null || now.isBefore(expiresAt));
  }

  public boolean mayUse(String model) {
    return allowedModels.isEmpty() || allowedModels.contains(model);
  }
}
