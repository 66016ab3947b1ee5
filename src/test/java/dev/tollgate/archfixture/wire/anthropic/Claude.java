package dev.tollgate.archfixture.wire.anthropic;

import dev.tollgate.archfixture.wire.openai.Chat;

/** Breaks the rule that one API's format knows nothing of another's. */
public final class Claude {
  Chat chat;
}
