package dev.tollgate.team;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A team sharing the gateway: its budget, its rate limits and the models it may use (empty means
 * all routed models).
 */
public record Team(
    String id,
    String name,
    Budget budget,
    Limits limits,
    List<String> allowedModels,
    Map<String, String> metadata,
    boolean seeded,
    Instant createdAt,
    Instant updatedAt) {

  public boolean mayUse(String model) {
    return allowedModels.isEmpty() || allowedModels.contains(model);
  }
}
