package dev.tollgate.server;

import dev.tollgate.config.GatewayConfig;
import dev.tollgate.metrics.GatewayMetrics;
import dev.tollgate.pipeline.CallerEndpoint;
import dev.tollgate.pipeline.ProxyPipeline;
import dev.tollgate.quota.QuotaView;
import dev.tollgate.wire.anthropic.AnthropicDialect;
import dev.tollgate.wire.openai.OpenAiDialect;

/** What every event loop's verticle shares: built once per gateway. */
record GatewayParts(
    GatewayConfig config,
    ProxyPipeline.Parts pipeline,
    OpenAiDialect openai,
    AnthropicDialect anthropic,
    CallerEndpoint callers,
    ModelList models,
    QuotaView quotas,
    GatewayMetrics metrics,
    ConnectionCap connections,
    MetricsEndpoint metricsEndpoint,
    Readiness readiness) {}
