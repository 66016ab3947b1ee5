package dev.tollgate.wire.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.wire.JsonText;
import dev.tollgate.wire.Prompt;
import dev.tollgate.wire.RequestBody;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The prompt of an OpenAI request as OpenAI counts it, read from the request's fields as a parser meets
 * them. Chat messages (and Responses input items) are counted as OpenAI's cookbook does: each message's
 * role, content and name, plus 3 tokens of framing per message, 1 per name, and 3 to prime the reply. An
 * image costs at least 85 tokens (its low-detail price): the gateway cannot see its size, so a
 * high-detail image costs more than this estimate. Completions and embeddings count their text alone.
 * Pieces come in the order the body has them (the count is their sum).
 */
final class OpenAiPrompt {
  static final int PER_MESSAGE = 3;
  static final int PER_NAME = 1;
  static final int REPLY_PRIMING = 3;
  static final int IMAGE_FLOOR = 85;
  /** Roles that are one token in every OpenAI encoding: counted without a tokenizer lookup. */
  private static final Set<String> ONE_TOKEN_ROLES = Set.of("system", "user", "assistant", "developer", "tool", "function");

  private final OpenAiEndpoint endpoint;
  private final JsonFactory factory;
  private final List<String> pieces = new ArrayList<>(4);
  private long framing;

  /** @param factory writes a tool's parameter schema back as compact JSON text */
  OpenAiPrompt(OpenAiEndpoint endpoint, JsonFactory factory) {
    this.endpoint = endpoint;
    this.factory = factory;
    if (endpoint == OpenAiEndpoint.CHAT_COMPLETIONS || endpoint == OpenAiEndpoint.RESPONSES) framing = REPLY_PRIMING;
  }

  /**
   * Takes a top-level field's value if the prompt is made of it, the parser on the value's first token; leaves
   * the parser on its last token. Returns whether the field was the prompt's.
   */
  boolean field(String name, JsonParser p) throws IOException {
    switch (endpoint) {
      case CHAT_COMPLETIONS -> {
        if (name.equals("messages")) messages(p);
        else if (name.equals("tools")) tools(p);
        else return false;
      }
      case RESPONSES -> {
        if (name.equals("instructions") || name.equals("input")) {
          if (p.currentToken() == JsonToken.VALUE_STRING) message(p.getText());
          else if (name.equals("input")) messages(p);
          else p.skipChildren();
        } else if (name.equals("tools")) {
          tools(p);
        } else {
          return false;
        }
      }
      case COMPLETIONS -> {
        if (name.equals("prompt")) texts(p);
        else return false;
      }
      case EMBEDDINGS -> {
        if (name.equals("input")) texts(p);
        else return false;
      }
    }
    return true;
  }

  Prompt prompt() {
    return new Prompt(pieces, framing);
  }

  /** The prompt of a body built as a tree (a translation's), read the same way. */
  static Prompt of(OpenAiEndpoint endpoint, JsonFactory factory, JsonNode body) {
    OpenAiPrompt prompt = new OpenAiPrompt(endpoint, factory);
    RequestBody.readFields(body, (field, value, p) -> {
      if (!prompt.field(field, p)) p.skipChildren();
    });
    return prompt.prompt();
  }

  private void messages(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() == JsonToken.START_OBJECT) message(p);
      else p.skipChildren();
    }
  }

  /** One message (or Responses item): its role, content and name, an assistant's tool calls, a function call's arguments and output. */
  private void message(JsonParser p) throws IOException {
    framing += PER_MESSAGE;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "role" -> {
          if (value == JsonToken.VALUE_STRING && ONE_TOKEN_ROLES.contains(p.getText())) framing++;
          else text(p);
        }
        case "content" -> content(p);
        case "name" -> {
          if (value == JsonToken.VALUE_STRING) framing += PER_NAME;
          text(p);
        }
        case "tool_calls" -> toolCalls(p);
        case "arguments", "output" -> text(p);
        default -> p.skipChildren();
      }
    }
  }

  /** A message given as a bare string (Responses' instructions or input): its one-token role implied. */
  private void message(String content) {
    framing += PER_MESSAGE + 1;
    if (!content.isEmpty()) pieces.add(content);
  }

  /** A message's content: a string, or parts (text, images). */
  private void content(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_STRING) {
      text(p);
    } else if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
      JsonToken end = t == JsonToken.START_ARRAY ? JsonToken.END_ARRAY : JsonToken.END_OBJECT;
      while (nextElement(p, end)) {
        if (p.currentToken() == JsonToken.START_OBJECT) part(p);
        else p.skipChildren();
      }
    }
  }

  /** A content part: an image at its floor price, anything else by its text. */
  private void part(JsonParser p) throws IOException {
    String type = null;
    String text = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (field.equals("type") && value == JsonToken.VALUE_STRING) type = p.getText();
      else if (field.equals("text") && value == JsonToken.VALUE_STRING) text = p.getText();
      else p.skipChildren();
    }
    if ("image_url".equals(type) || "input_image".equals(type)) framing += IMAGE_FLOOR;
    else if (text != null && !text.isEmpty()) pieces.add(text);
  }

  /** An assistant's tool calls: each function's name and arguments. */
  private void toolCalls(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t != JsonToken.START_ARRAY && t != JsonToken.START_OBJECT) return;
    JsonToken end = t == JsonToken.START_ARRAY ? JsonToken.END_ARRAY : JsonToken.END_OBJECT;
    while (nextElement(p, end)) {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        boolean function = p.currentName().equals("function");
        if (p.nextToken() == JsonToken.START_OBJECT && function) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("name") || field.equals("arguments")) text(p);
            else p.skipChildren();
          }
        } else {
          p.skipChildren();
        }
      }
    }
  }

  /** Function definitions: their name, description and parameter schema as text (a chat tool nests them under {@code function}). */
  private void tools(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      Definition own = new Definition();
      Definition nested = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (field.equals("function")) {
          nested = new Definition();
          if (p.currentToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String inner = p.currentName();
              p.nextToken();
              nested.field(inner, p);
            }
          } else {
            p.skipChildren();
          }
        } else {
          own.field(field, p);
        }
      }
      (nested != null ? nested : own).addTo(pieces);
    }
  }

  /** A tool's name, description and parameter schema, kept until the tool's object ends (it may nest them). */
  private final class Definition {
    private String name;
    private String description;
    private String parameters;

    void field(String field, JsonParser p) throws IOException {
      JsonToken t = p.currentToken();
      switch (field) {
        case "name" -> name = t == JsonToken.VALUE_STRING ? p.getText() : skip(p);
        case "description" -> description = t == JsonToken.VALUE_STRING ? p.getText() : skip(p);
        case "parameters" -> parameters = t == JsonToken.VALUE_NULL ? null : JsonText.compact(factory, p);
        default -> p.skipChildren();
      }
    }

    void addTo(List<String> pieces) {
      if (name != null && !name.isEmpty()) pieces.add(name);
      if (description != null && !description.isEmpty()) pieces.add(description);
      if (parameters != null) pieces.add(parameters);
    }
  }

  private static String skip(JsonParser p) throws IOException {
    p.skipChildren();
    return null;
  }

  /** A prompt or input: a string, strings, or token ids (one token each), nested in arrays. */
  private void texts(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_STRING) {
      pieces.add(p.getText());
    } else if (t == JsonToken.START_ARRAY) {
      while (p.nextToken() != JsonToken.END_ARRAY) {
        if (p.currentToken().isNumeric()) framing++;
        else texts(p);
      }
    } else {
      p.skipChildren();
    }
  }

  /** A string value as a piece (an empty one adds nothing); any other value skipped. */
  private void text(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_STRING) {
      String s = p.getText();
      if (!s.isEmpty()) pieces.add(s);
    } else {
      p.skipChildren();
    }
  }

  /** Moves to an array's next element or an object's next value; false at its end. */
  private static boolean nextElement(JsonParser p, JsonToken end) throws IOException {
    JsonToken t = p.nextToken();
    if (t == end) return false;
    if (t == JsonToken.FIELD_NAME) p.nextToken();
    return true;
  }
}
