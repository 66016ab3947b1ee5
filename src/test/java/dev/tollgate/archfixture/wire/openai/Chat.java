package dev.tollgate.archfixture.wire.openai;

/** An API format's class that another format wrongly imports. */
public final class Chat {}
