package dev.tollgate.wire;

/**
 * The text a model produced, kept as a running token count rather than as the text: what arrives waits in a
 * buffer, and once the buffer passes {@value #CHUNK} characters its words are taken out to be counted elsewhere (a
 * tokenizer counts a few MB per second: not on an event loop) and their count added back. A stream of any length
 * holds a buffer or two; most answers are shorter than one and are never counted unless an estimate needs them.
 * Chunks are cut before the space of a word, where the BPE encodings split anyway, so the chunks' counts add up
 * to the whole text's.
 */
public final class ProducedText {
  /** The most characters kept before words are taken out to be counted. */
  public static final int CHUNK = 64 * 1024;

  private final StringBuilder pending = new StringBuilder();
  private long counted;
  private boolean any;

  public void append(CharSequence piece) {
    if (piece.length() == 0) return;
    any = true;
    pending.append(piece);
  }

  /** Whether the buffer holds a chunk's worth: time to take its words out and count them. */
  public boolean full() {
    return pending.length() >= CHUNK;
  }

  /**
   * Takes the buffer's text up to its last space between two words (all of it, when it has none), to be counted;
   * see {@link #counted}. Only a single space with a letter or digit before it and a letter after it is a cut where
   * every BPE encoding splits anyway (" word" is one token); runs of whitespace, newlines and punctuation are kept
   * whole. Text without such a space (CJK, base64) is cut where the buffer ends: at most one token off per chunk.
   */
  public String takeWords() {
    int cut = pending.length();
    for (int i = pending.length() - 2; i > 0; i--) {
      if (pending.charAt(i) == ' ' && Character.isLetterOrDigit(pending.charAt(i - 1)) && Character.isLetter(pending.charAt(i + 1))) {
        cut = i;
        break;
      }
    }
    String words = pending.substring(0, cut);
    pending.delete(0, cut);
    return words;
  }

  /** Adds the count of words taken out. */
  public void counted(long tokens) {
    counted += tokens;
  }

  /** The tokens of the words taken out and counted so far. */
  public long countedTokens() {
    return counted;
  }

  /** The text not taken out yet. */
  public String pending() {
    return pending.toString();
  }

  /** Whether any text was appended. */
  public boolean isEmpty() {
    return !any;
  }
}
