package dev.tollgate.server;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.proxy.ModelList;
import dev.tollgate.proxy.ProxyPipeline;
import dev.tollgate.proxy.TargetBreakers;

/** What every event loop's verticle shares: built once per gateway. */
record GatewayParts(
    GatewayConfig config,
    ProxyPipeline.Parts pipeline,
    TargetBreakers breakers,
    ModelList models,
    GatewayMetrics metrics,
    Readiness readiness) {}
