package dev.tollgate.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.core.GatewayFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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
  /** Where the body's model string value starts and ends (quotes included), and its closing brace; -1: not known. */
  private int modelStart = -1;
  private int modelEnd = -1;
  private int close = -1;
  /** What a client is told of bytes the tree cannot hold: the dialect's message for a body that is not JSON. */
  private String notJson = UNPARSABLE;

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

  /** The body as a tree, read from its bytes on first use; callers may change it (the upstream rewrite does). */
  public final ObjectNode tree() {
    if (tree == null) {
      try {
        tree = (ObjectNode) reader.readTree(raw);
      } catch (Exception e) {
        throw GatewayFailure.badRequest(notJson, null);
      }
    }
    return tree;
  }

  /** Takes one top-level field, the parser on its value's first token; leaves the parser on the value's last token. */
  @FunctionalInterface
  public interface Fields {
    void field(String name, JsonToken value, JsonParser p) throws IOException;
  }

  /**
   * The streaming pass: reads the bytes as one JSON object (no key twice at any depth, nothing after it), handing each
   * top-level field to {@code fields}, and marks the closing brace. What is not JSON, or has anything after the
   * object, is a 400 with {@code notJson} (as is, later, a body the tree cannot hold); JSON that is not an object, a
   * 400 saying so. A {@link GatewayFailure} the fields throw passes through; they should rather note what they find
   * and judge it after the pass, so that a body that is not JSON further on is refused as such.
   */
  protected final void readFields(String notJson, Fields fields) {
    try (JsonParser p = reader.createParser(raw)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        if (first != null) p.skipChildren();
        if (p.nextToken() != null) throw GatewayFailure.badRequest(notJson, null);
        throw GatewayFailure.badRequest("The request body must be a JSON object.", null);
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        fields.field(field, p.nextToken(), p);
      }
      closesAt((int) p.currentTokenLocation().getByteOffset());
      if (p.nextToken() != null) throw GatewayFailure.badRequest(notJson, null);
    } catch (GatewayFailure f) {
      throw f;
    } catch (Exception e) {
      throw GatewayFailure.badRequest(notJson, null);
    }
    this.notJson = notJson;
    // skipping does not check Jackson's length limits: a body that could hold a string over them is read as a tree
    // too, so that it is refused as the tree refused it (only possible with max-body-bytes above ~20 MB)
    if (raw.length > reader.getFactory().streamReadConstraints().getMaxStringLength()) tree();
  }

  /** The same walk over a tree (a translation's): each top-level field of an object handed to {@code fields}. */
  public static void readFields(JsonNode tree, Fields fields) {
    try (JsonParser p = tree.traverse()) {
      if (p.nextToken() != JsonToken.START_OBJECT) return;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        fields.field(field, p.nextToken(), p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads the model field's value, the parser on it: its text when it is a string (and where it is, for {@link
   * #spliced}); null, the value skipped, for anything else.
   */
  protected final String readModel(JsonToken value, JsonParser p) throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      p.skipChildren();
      return null;
    }
    modelStart = (int) p.currentTokenLocation().getByteOffset();
    String text = p.getText();
    modelEnd = (int) p.currentLocation().getByteOffset();
    return text;
  }

  private void closesAt(int offset) {
    close = offset;
  }

  /**
   * The body for upstream made from the client's bytes: the model's value replaced, and {@code member} (one
   * {@code "key":value}, or null) added before the closing brace, after the client's fields (where a provider that lets
   * the last of two keys win, or matches keys ignoring case, still reads the gateway's). The client's own array when
   * nothing changes. Null when the model was not a string in the body, or when the bytes could mean something else
   * to another JSON reader than to Jackson (the caller then writes the tree, as Jackson read it).
   */
  protected final byte[] spliced(String upstreamModel, byte[] member) {
    if (modelStart < 0 || close < 0 || !plain(raw)) return null;
    byte[] model = quoted(upstreamModel);
    boolean sameModel = Arrays.equals(raw, modelStart, modelEnd, model, 0, model.length);
    if (sameModel && member == null) return raw;
    int insert = member == null ? 0 : member.length + 1;
    byte[] out = new byte[raw.length - (modelEnd - modelStart) + model.length + insert];
    System.arraycopy(raw, 0, out, 0, modelStart);
    int at = modelStart;
    System.arraycopy(model, 0, out, at, model.length);
    at += model.length;
    System.arraycopy(raw, modelEnd, out, at, close - modelEnd);
    at += close - modelEnd;
    if (member != null) {
      out[at++] = ',';
      System.arraycopy(member, 0, out, at, member.length);
      at += member.length;
    }
    System.arraycopy(raw, close, out, at, raw.length - close);
    return out;
  }

  /**
   * Whether the bytes mean the same to any JSON reader as to Jackson: no byte order mark, and only ASCII or strictly
   * well-formed UTF-8 (the JDK's decoder refuses overlong forms and encoded surrogates; Jackson reads some of them as
   * the characters they spell, such as an overlong {@code o} in {@code "stream_\u00c1\u00afptions"}).
   */
  private static boolean plain(byte[] raw) {
    if (raw.length >= 3 && raw[0] == (byte) 0xEF && raw[1] == (byte) 0xBB && raw[2] == (byte) 0xBF) return false;
    int i = 0;
    while (i < raw.length && raw[i] >= 0) i++;
    if (i == raw.length) return true;
    try {
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw, i, raw.length - i));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static byte[] quoted(String s) {
    byte[] inner = JsonStringEncoder.getInstance().quoteAsUTF8(s);
    byte[] out = new byte[inner.length + 2];
    out[0] = '"';
    System.arraycopy(inner, 0, out, 1, inner.length);
    out[out.length - 1] = '"';
    return out;
  }
}
