package dev.tollgate.wire.anthropic;

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

/**
 * The prompt of a Messages request, for an estimate, read from the request's fields as a parser meets them: the
 * system prompt, each message's text, tool calls (their input as JSON) and tool results, and the tool definitions,
 * plus framing the gateway cannot see as text: a few tokens per message and for the reply, and per image what
 * Anthropic charges a small image. Claude counts with a tokenizer of its own, so the count is an estimate (the
 * provider's usage bills the request). Pieces come in the order the body has them (the count is their sum).
 */
final class AnthropicPrompt {
  static final int PER_MESSAGE = 4;
  static final int REPLY_PRIMING = 3;
  /** A 200x200 image ((w*h)/750 tokens); larger ones cost more, up to ~1600. */
  static final int IMAGE_FLOOR = 54;
  /** A PDF page costs at least this much; the gateway cannot see its pages. */
  static final int DOCUMENT_FLOOR = 1500;

  private final JsonFactory factory;
  private final List<String> pieces = new ArrayList<>(4);
  private long framing;

  /** @param factory writes a tool's definition and a tool call's input back as compact JSON text */
  AnthropicPrompt(JsonFactory factory) {
    this.factory = factory;
    this.framing = REPLY_PRIMING;
  }

  /** The prompt of a body built as a tree (a translation's), read the same way. */
  static Prompt of(JsonFactory factory, JsonNode body) {
    AnthropicPrompt prompt = new AnthropicPrompt(factory);
    RequestBody.readFields(body, (field, value, p) -> {
      if (!prompt.field(field, p)) p.skipChildren();
    });
    return prompt.prompt();
  }

  /**
   * Takes a top-level field's value if the prompt is made of it, the parser on the value's first token; leaves the
   * parser on its last token. Returns whether the field was the prompt's.
   */
  boolean field(String name, JsonParser p) throws IOException {
    switch (name) {
      case "system" -> content(p);
      case "messages" -> messages(p);
      case "tools" -> tools(p);
      default -> {
        return false;
      }
    }
    return true;
  }

  Prompt prompt() {
    return new Prompt(pieces, framing);
  }

  /** Each element of the list is a message (its framing), its content counted. */
  private void messages(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() != JsonToken.END_ARRAY) {
      framing += PER_MESSAGE;
      if (p.currentToken() != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        boolean content = p.currentName().equals("content");
        p.nextToken();
        if (content) content(p);
        else p.skipChildren();
      }
    }
  }

  /** A string, or content blocks (anything else adds nothing). */
  private void content(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_STRING) {
      text(p.getText());
      return;
    }
    if (t != JsonToken.START_ARRAY) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() == JsonToken.START_OBJECT) block(p);
      else p.skipChildren();
    }
  }

  /**
   * One content block, counted by its type once the block has ended (its {@code type} may come after the fields it
   * decides about): text, thinking, a tool call's name and input, a tool result's content, an image or document at
   * its floor price.
   */
  private void block(JsonParser p) throws IOException {
    String type = null;
    String text = null;
    String thinking = null;
    String name = null;
    String input = null;
    AnthropicPrompt result = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "type" -> type = string(p);
        case "text" -> text = string(p);
        case "thinking" -> thinking = string(p);
        case "name" -> name = string(p);
        case "input" -> input = value == JsonToken.VALUE_NULL ? null : JsonText.compact(factory, p);
        case "content" -> {
          result = new AnthropicPrompt(factory);
          result.framing = 0;
          result.content(p);
        }
        default -> p.skipChildren();
      }
    }
    if (type == null) return;
    switch (type) {
      case "text" -> text(text);
      case "image" -> framing += IMAGE_FLOOR;
      case "document" -> framing += DOCUMENT_FLOOR;
      case "tool_use", "server_tool_use" -> {
        text(name);
        if (input != null) pieces.add(input);
      }
      case "tool_result" -> {
        if (result != null) {
          pieces.addAll(result.pieces);
          framing += result.framing;
        }
      }
      case "thinking" -> text(thinking);
      default -> { }
    }
  }

  /** Each tool's definition as compact JSON text. */
  private void tools(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() == JsonToken.VALUE_NULL) continue;
      pieces.add(JsonText.compact(factory, p));
    }
  }

  /** A string value's text; null (and the value skipped) for any other. */
  private static String string(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_STRING) return p.getText();
    p.skipChildren();
    return null;
  }

  private void text(String s) {
    if (s != null && !s.isEmpty()) pieces.add(s);
  }
}
