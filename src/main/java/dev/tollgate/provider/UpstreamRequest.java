package dev.tollgate.provider;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.RequestOptions;

/** A prepared upstream request: where it goes with which headers, and its body. */
public record UpstreamRequest(RequestOptions options, Buffer body) {}
