package dev.tollgate.wire.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.core.Usage;
import java.io.IOException;
import java.io.UncheckedIOException;

/** OpenAI's {@code usage} object, in either of its shapes, read as a parser meets it (no tree). */
final class OpenAiUsage {
  private long input;
  private long output;
  private long cached;
  private long reasoning;
  private long prompt;
  private long completion;
  private long promptCached;
  private long completionReasoning;
  private boolean responsesShape;
  private boolean chatShape;

  private OpenAiUsage() {}

  /**
   * chat/completions/embeddings ({@code prompt_tokens}, {@code completion_tokens}) or responses
   * ({@code input_tokens}, {@code output_tokens}), the parser on the value's first token and left on its last.
   * Null when the value carries no usage.
   */
  static Usage read(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      p.skipChildren();
      return null;
    }
    OpenAiUsage u = new OpenAiUsage();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      switch (field) {
        case "input_tokens" -> {
          u.responsesShape = true;
          u.input = count(p);
        }
        case "output_tokens" -> {
          u.responsesShape = true;
          u.output = count(p);
        }
        case "prompt_tokens" -> {
          u.chatShape = true;
          u.prompt = count(p);
        }
        case "completion_tokens" -> {
          u.chatShape = true;
          u.completion = count(p);
        }
        case "input_tokens_details" -> u.cached = detail(p, "cached_tokens");
        case "output_tokens_details" -> u.reasoning = detail(p, "reasoning_tokens");
        case "prompt_tokens_details" -> u.promptCached = detail(p, "cached_tokens");
        case "completion_tokens_details" -> u.completionReasoning = detail(p, "reasoning_tokens");
        default -> p.skipChildren();
      }
    }
    if (u.responsesShape) return new Usage(u.input, u.output, u.cached, u.reasoning);
    if (u.chatShape) return new Usage(u.prompt, u.completion, u.promptCached, u.completionReasoning);
    return null;
  }

  /** The same from a tree (a stream event read whole). */
  static Usage read(JsonNode usage) {
    if (usage == null) return null;
    try (JsonParser p = usage.traverse()) {
      p.nextToken();
      return read(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A count as a tree's {@code asLong(0)} reads it: a number cut to a long as Java casts it, a number in a string, true as 1. */
  private static long count(JsonParser p) throws IOException {
    return switch (p.currentToken()) {
      case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue().longValue()
          : p.getLongValue();
      case VALUE_NUMBER_FLOAT -> (long) p.getDoubleValue();
      case VALUE_STRING -> p.getValueAsLong(0);
      case VALUE_TRUE -> 1;
      default -> {
        p.skipChildren();
        yield 0;
      }
    };
  }

  /** One count inside a details object. */
  private static long detail(JsonParser p, String name) throws IOException {
    long n = 0;
    if (p.currentToken() != JsonToken.START_OBJECT) {
      p.skipChildren();
      return 0;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      boolean wanted = p.currentName().equals(name);
      p.nextToken();
      if (wanted) n = count(p);
      else p.skipChildren();
    }
    return n;
  }
}
