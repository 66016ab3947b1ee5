package dev.tollgate.wire;

import java.util.List;

/**
 * What a request sends to the model, as the tokenizer sees it: its texts piece by piece (each
 * message's role and content, each content part), plus the tokens the API's framing adds that no text
 * shows (per message, per name, per image, the reply's priming).
 */
public record Prompt(List<String> pieces, long framingTokens) {}
