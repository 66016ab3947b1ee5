package dev.tollgate.pipeline;

import dev.tollgate.quota.QuotaGate;
import dev.tollgate.route.ModelRouter;

/**
 * Where the warm-up's synthetic requests go instead of a team's: a router that knows only the warm-up's own fake
 * provider (so they never reach a real one, and no team reaches theirs), and quotas of their own, in this
 * process's memory (so they never count against a team, nor reach Redis).
 */
public record SyntheticRoutes(ModelRouter router, QuotaGate quotas) {}
