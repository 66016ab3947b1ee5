package dev.tollgate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.Usage;
import dev.tollgate.wire.ProducedText;
import dev.tollgate.wire.StreamObserver;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The relay's reading of an event stream: events and their fields as the SSE format defines them, however the bytes are cut. */
class SseParserTest {
  private static List<SseParser.Event> parse(SseParser parser, String... chunks) {
    List<SseParser.Event> events = new ArrayList<>();
    for (String c : chunks) parser.feed(Buffer.buffer(c.getBytes(StandardCharsets.UTF_8)), events::add);
    return events;
  }

  @Test
  void fields_are_read_from_each_event_however_the_chunks_cut_it() {
    String stream = "data: {\"a\":\"h\u00e9llo \u4e2d \ud83d\ude00\"}\n\n"
        + "event: message_start\r\ndata:{\"b\":1}\r\n\r\n"
        + ": keep-alive\n\n"
        + "data: first\ndata:second\ndata: \n\n"
        + "event: ping\ndata:\n\n"
        + "data: [DONE]\n\n";
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    // every cut, including inside a multi-byte character and between \r and \n
    for (int cut = 0; cut <= bytes.length; cut++) {
      SseParser parser = new SseParser();
      List<SseParser.Event> events = new ArrayList<>();
      parser.feed(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, 0, cut)), events::add);
      parser.feed(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, cut, bytes.length)), events::add);
      assertThat(events).extracting(SseParser.Event::name)
          .containsExactly(null, "message_start", null, null, "ping", null);
      assertThat(events).extracting(SseParser.Event::data).as("cut at %d", cut)
          .containsExactly("{\"a\":\"h\u00e9llo \u4e2d \ud83d\ude00\"}", "{\"b\":1}", null, "first\nsecond\n", "", "[DONE]");
      StringBuilder raw = new StringBuilder();
      for (SseParser.Event e : events) raw.append(e.raw().toString(StandardCharsets.UTF_8));
      assertThat(raw.toString()).as("relayed bytes, cut at %d", cut).isEqualTo(stream);
      assertThat(parser.pending()).isZero();
    }
  }

  @Test
  void an_unfinished_event_waits_for_its_end() {
    SseParser parser = new SseParser();
    assertThat(parse(parser, "data: {\"x\":", "1}\n")).isEmpty();
    assertThat(parser.pending()).isEqualTo("data: {\"x\":1}\n".length());
    assertThat(parse(parser, "\n")).extracting(SseParser.Event::data).containsExactly("{\"x\":1}");
  }

  /** An observer is handed a one-line data field as its bytes, and several lines as their joined text. */
  @Test
  void observers_get_one_line_as_bytes_and_several_as_text() {
    List<String> seen = new ArrayList<>();
    StreamObserver observer = new StreamObserver() {
      @Override
      public boolean relay(String event, String data) {
        seen.add("text " + event + " " + data);
        return true;
      }

      @Override
      public boolean relay(String event, byte[] data) {
        seen.add("bytes " + event + " " + new String(data, StandardCharsets.UTF_8));
        return true;
      }

      @Override public Usage usage() { return null; }
      @Override public boolean ended() { return false; }
      @Override public boolean failed() { return false; }
      @Override public ProducedText produced() { return new ProducedText(); }
    };
    for (SseParser.Event e : parse(new SseParser(), "event: a\ndata: one\n\ndata: x\ndata: y\n\n: comment\n\n")) e.relayTo(observer);
    assertThat(seen).containsExactly("bytes a one", "text null x\ny", "text null null");
  }
}
