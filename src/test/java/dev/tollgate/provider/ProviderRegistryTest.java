package dev.tollgate.provider;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.config.ConfigException;
import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.provider.anthropic.AnthropicType;
import dev.tollgate.provider.azure.AzureOpenAiType;
import dev.tollgate.provider.mock.BuiltInMockType;
import dev.tollgate.provider.openai.OpenAiType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each provider type checks its own settings; a mistake names the file, the key path and the problem. */
class ProviderRegistryTest {
  private static final ProviderRegistry REGISTRY =
      new ProviderRegistry(List.of(new OpenAiType(), new AzureOpenAiType(), new AnthropicType(), BuiltInMockType.openAi(),
          BuiltInMockType.anthropic()));

  private static GatewayConfig config(String provider) {
    return new ConfigLoader(Map.of("KEY", "sk-x")).parse("gw.yaml", "providers:\n  p: " + provider + "\n");
  }

  private static void rejects(String provider, String message) {
    assertThatThrownBy(() -> REGISTRY.check(config(provider))).isInstanceOf(ConfigException.class).hasMessage(message);
  }

  @Test
  void an_unknown_type_is_named_with_the_known_ones() {
    rejects("{ type: bard }", "gw.yaml: providers.p.type: must be one of openai, azure-openai, anthropic, mock, mock-anthropic, got 'bard'");
  }

  @Test
  void each_type_asks_for_what_it_needs() {
    rejects("{ type: openai, keys: [ { secret: \"${env:KEY}\" } ] }", "gw.yaml: providers.p.base-url: is required for type openai");
    rejects("{ type: azure-openai, base-url: \"https://x.openai.azure.com\" }", "gw.yaml: providers.p.keys: needs at least one key");
    rejects("{ type: mock, base-url: \"http://127.0.0.1:1\" }",
        "gw.yaml: providers.p.base-url: is not used by type mock (it runs in-process)");
    rejects("{ type: anthropic, keys: [ { secret: \"${env:KEY}\" } ] }", "gw.yaml: providers.p.base-url: is required for type anthropic");
    assertThatCode(() -> REGISTRY.check(config("{ type: mock }"))).doesNotThrowAnyException();
    assertThatCode(() -> REGISTRY.check(config("{ type: mock-anthropic }"))).doesNotThrowAnyException();
    assertThatCode(() -> REGISTRY.check(config("{ type: openai, base-url: \"https://api.openai.com/v1\", keys: [ { secret: \"${env:KEY}\" } ] }")))
        .doesNotThrowAnyException();
  }
}
