package dev.tollgate.route;

import dev.tollgate.config.GatewayConfig;
import java.util.List;

/**
 * Where a request for a model goes: the model's canonical name (the name asked may be an alias) and
 * the targets to try in order — one chosen by weight first, then the model's other targets, then
 * its fallback models' targets. {@code cache}: how the model's answers are cached, or null.
 */
public record Route(String requested, String model, List<RouteTarget> candidates, Integer maxOutputTokens,
    GatewayConfig.ModelCache cache) {}
