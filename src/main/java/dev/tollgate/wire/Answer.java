package dev.tollgate.wire;

import dev.tollgate.core.Usage;

/** What a non-streamed answer reports: its usage, or when it has none (null), its text for an estimate. */
public record Answer(Usage usage, String text) {}
