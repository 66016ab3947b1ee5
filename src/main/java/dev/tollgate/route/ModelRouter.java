package dev.tollgate.route;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.core.Weighted;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Resolves a model name or alias to a {@link Route}. Immutable; built once from config. */
public final class ModelRouter {
  private final Map<String, GatewayConfig.Model> byName = new HashMap<>();
  private final Map<String, GatewayConfig.Model> models;

  public ModelRouter(Map<String, GatewayConfig.Model> models) {
    this.models = models;
    models.values().forEach(m -> {
      byName.put(m.name(), m);
      m.aliases().forEach(a -> byName.put(a, m));
    });
  }

  /** The route for a name, or null when no model or alias has that name. */
  public Route route(String name) {
    GatewayConfig.Model model = byName.get(name);
    if (model == null) return null;
    List<RouteTarget> candidates = new ArrayList<>(4);
    addInWeightedOrder(model, candidates);
    for (String fallback : model.fallbacks()) addInWeightedOrder(models.get(fallback), candidates);
    return new Route(name, model.name(), candidates, model.maxOutputTokens(), model.cache());
  }

  /** Canonical model names, in config order. */
  public Set<String> modelNames() {
    return models.keySet();
  }

  public List<String> aliasesOf(String model) {
    GatewayConfig.Model m = models.get(model);
    return m == null ? List.of() : m.aliases();
  }

  private static void addInWeightedOrder(GatewayConfig.Model model, List<RouteTarget> out) {
    List<GatewayConfig.Target> targets = model.targets();
    for (GatewayConfig.Target t : targets.size() == 1 ? targets : Weighted.order(targets, GatewayConfig.Target::weight)) {
      out.add(new RouteTarget(t.provider(), t.model(), t.weight()));
    }
  }
}
