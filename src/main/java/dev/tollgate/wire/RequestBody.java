package dev.tollgate.wire;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.GatewayFailure;

/**
 * A request's JSON body: the bytes the client sent, and their tree, read only when something asks for it
 * (a cache key, a translation to another dialect, a rewrite the dialect cannot make in the bytes). A
 * dialect that reads the few fields it needs in one streaming pass never builds the tree on the common
 * path. A body belongs to one request and is used on its event loop.
 */
public class RequestBody {
  /** What a client is told of a body that is not one JSON object the strict reader takes. */
  public static final String UNPARSABLE = "We could not parse the JSON body of your request. The body must be a JSON object.";

  private final byte[] raw;
  private final ObjectReader reader;
  private ObjectNode tree;

  /** @param raw bytes already read once as one JSON object by {@code reader} (so reading them again cannot fail) */
  protected RequestBody(byte[] raw, ObjectReader reader) {
    this.raw = raw;
    this.reader = reader;
  }

  private RequestBody(ObjectNode tree) {
    this.raw = null;
    this.reader = null;
    this.tree = tree;
  }

  /** A body built as a tree (a translation's): it has no bytes of its own. */
  public static RequestBody of(ObjectNode tree) {
    return new RequestBody(tree);
  }

  /** The bytes as the client sent them, or null for a body built as a tree. */
  public final byte[] raw() {
    return raw;
  }

  /**
   * The body as a tree, read from its bytes on first use; callers may change it (the upstream rewrite does). A body the
   * streaming pass took but the tree refuses (a string longer than Jackson's limit, which skipping does not check) is a
   * 400.
   */
  public final ObjectNode tree() {
    if (tree == null) {
      try {
        tree = (ObjectNode) reader.readTree(raw);
      } catch (Exception e) {
        // a check the streaming pass did not make on what it skipped: a string over Jackson's length limit
        throw GatewayFailure.badRequest(UNPARSABLE, null);
      }
    }
    return tree;
  }
}
