package dev.tollgate.route;

import java.util.Objects;

/**
 * One place a model can be served: a provider and the model's name there. A key of per-request map lookups
 * (the targets' circuit breakers): its {@code equals} and {@code hashCode} are written out, as a record's generated ones
 * run through method handles that stay slow until the JIT's last tier compiles them.
 */
public record RouteTarget(String provider, String upstreamModel, int weight) {
  @Override
  public boolean equals(Object o) {
    return o instanceof RouteTarget t && weight == t.weight && Objects.equals(provider, t.provider)
        && Objects.equals(upstreamModel, t.upstreamModel);
  }

  @Override
  public int hashCode() {
    return (Objects.hashCode(provider) * 31 + Objects.hashCode(upstreamModel)) * 31 + weight;
  }
}
