package dev.tollgate.wire.bridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.wire.ApiRequest;
import dev.tollgate.wire.RequestBody;
import dev.tollgate.wire.Translation;
import dev.tollgate.wire.Translator;
import dev.tollgate.wire.anthropic.AnthropicDialect;
import dev.tollgate.wire.anthropic.AnthropicOperation;
import dev.tollgate.wire.openai.OpenAiDialect;
import dev.tollgate.wire.openai.OpenAiEndpoint;

/**
 * The translations between the client APIs: OpenAI chat completions carried by an Anthropic provider (a team on
 * the OpenAI SDK uses Claude models with the same key), and Anthropic Messages carried by an OpenAI-compatible
 * provider (Anthropic SDKs and tools built on them use any model).
 */
public final class Bridges implements Translator {
  private final AnthropicDialect anthropic;
  private final OpenAiDialect openai;
  private final ChatToMessage chatToMessage;
  private final ChatToMessages chatToMessages;
  private final MessageToChat messageToChat;
  private final ObjectMapper json;

  public Bridges(ObjectMapper json, OpenAiDialect openai, AnthropicDialect anthropic) {
    this.json = json;
    this.openai = openai;
    this.anthropic = anthropic;
    this.chatToMessage = new ChatToMessage(json);
    this.chatToMessages = new ChatToMessages(json);
    this.messageToChat = new MessageToChat(json);
  }

  @Override
  public Translation translate(ApiRequest request, String providerDialect) {
    if (request.operation() == OpenAiEndpoint.CHAT_COMPLETIONS && providerDialect.equals(anthropic.name())) {
      ObjectNode body = chatToMessages.translate(request.body().tree(), request.model());
      ApiRequest upstream = new ApiRequest(anthropic, AnthropicOperation.MESSAGES, RequestBody.of(body), request.model(), request.stream(), true,
          body.get("max_tokens").asLong(), request.user());
      return new ChatOverMessages(upstream, request.clientWantsUsage());
    }
    if (request.operation() == AnthropicOperation.MESSAGES && providerDialect.equals(openai.name())) {
      ObjectNode body = MessagesToChat.translate(request.body().tree(), request.model());
      // the gateway asks for the stream's usage chunk; the translation turns it into message_delta's usage
      ApiRequest upstream = new ApiRequest(openai, OpenAiEndpoint.CHAT_COMPLETIONS, RequestBody.of(body), request.model(), request.stream(), false,
          request.maxOutputTokens(), request.user());
      return new MessagesOverChat(upstream);
    }
    return null;
  }

  /** A Messages request carried as a chat completion request. */
  private final class MessagesOverChat implements Translation {
    private final ApiRequest upstream;

    MessagesOverChat(ApiRequest upstream) {
      this.upstream = upstream;
    }

    @Override
    public ApiRequest upstream() {
      return upstream;
    }

    @Override
    public byte[] answer(byte[] upstreamAnswer) {
      return chatToMessage.answer(upstreamAnswer);
    }

    @Override
    public byte[] error(int status, byte[] upstreamError) {
      return chatToMessage.error(status, upstreamError);
    }

    @Override
    public Events events() {
      return new ChunksToMessageEvents(json);
    }
  }

  /** A chat completion request carried as a Messages request. */
  private final class ChatOverMessages implements Translation {
    private final ApiRequest upstream;
    private final boolean clientWantsUsage;

    ChatOverMessages(ApiRequest upstream, boolean clientWantsUsage) {
      this.upstream = upstream;
      this.clientWantsUsage = clientWantsUsage;
    }

    @Override
    public ApiRequest upstream() {
      return upstream;
    }

    @Override
    public byte[] answer(byte[] upstreamAnswer) {
      return messageToChat.answer(upstreamAnswer);
    }

    @Override
    public byte[] error(int status, byte[] upstreamError) {
      return messageToChat.error(status, upstreamError);
    }

    @Override
    public Events events() {
      return new MessageEventsToChunks(json, clientWantsUsage);
    }
  }
}
