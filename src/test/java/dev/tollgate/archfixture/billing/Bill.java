package dev.tollgate.archfixture.billing;

/** A billing class, for a quota class to reach into. */
public final class Bill {}
