package dev.tollgate.route;

/** One place a model can be served: a provider and the model's name there. */
public record RouteTarget(String provider, String upstreamModel, int weight) {}
