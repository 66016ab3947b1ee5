package dev.tollgate.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** An HTTP/1.1 request over a plain socket, for tests that control exactly when a client reads or leaves. */
public final class RawHttp implements AutoCloseable {
  /** A response as read off the socket: status, headers (lower-case names) and body. */
  public record Response(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final Socket socket;
  private final InputStream in;

  public RawHttp(int port, String path, String key, String body, String... headers) throws IOException {
    this(new Socket(), port, "POST", path, body, withBearer(key, headers));
  }

  private RawHttp(Socket socket, int port, String method, String target, String body, String... headers) throws IOException {
    this.socket = socket;
    socket.connect(new InetSocketAddress("127.0.0.1", port));
    socket.setSoTimeout(15_000);
    StringBuilder req = new StringBuilder()
        .append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1\r\n");
    for (int i = 0; i + 1 < headers.length; i += 2) req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) req.append("Content-Type: application/json\r\n");
    req.append("Content-Length: ").append(bytes.length).append("\r\n\r\n");
    OutputStream out = socket.getOutputStream();
    out.write(req.toString().getBytes(StandardCharsets.UTF_8));
    out.write(bytes);
    out.flush();
    in = socket.getInputStream();
  }

  private static String[] withBearer(String key, String[] headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "Authorization";
    all[1] = "Bearer " + key;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return all;
  }

  /** A client with a small receive buffer, so the kernel holds little of what it does not read. */
  public static RawHttp slowReader(int port, String path, String key, String body, String... headers) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(16 * 1024);
    return new RawHttp(socket, port, "POST", path, body, withBearer(key, headers));
  }

  /**
   * A request written exactly as given: the request target is not checked or encoded (so it may be malformed),
   * and there is no Authorization header unless {@code headers} has one.
   *
   * @param localAddress the client's own address (any 127.x.y.z on Linux), or null for the default
   * @param body null for none
   */
  public static RawHttp request(String localAddress, int port, String method, String target, String body, String... headers)
      throws IOException {
    Socket socket = new Socket();
    if (localAddress != null) socket.bind(new InetSocketAddress(localAddress, 0));
    return new RawHttp(socket, port, method, target, body, headers);
  }

  /** Reads until the text received so far contains {@code marker}; returns everything read. */
  public String readUntil(String marker) throws IOException {
    StringBuilder sb = new StringBuilder();
    byte[] buf = new byte[8192];
    while (!sb.toString().contains(marker)) {
      int n = in.read(buf);
      if (n < 0) break;
      sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  /** Reads until {@code marker} has appeared {@code times} times; returns everything read. */
  public String readUntil(String marker, int times) throws IOException {
    StringBuilder sb = new StringBuilder();
    byte[] buf = new byte[8192];
    while (count(sb.toString(), marker) < times) {
      int n = in.read(buf);
      if (n < 0) break;
      sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  /** Reads one whole response whose body has a Content-Length (or ends with the connection). */
  public Response readResponse() throws IOException {
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int headEnd;
    while ((headEnd = received.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n")) < 0) {
      int n = in.read(buf);
      if (n < 0) throw new IOException("the connection ended before the response head: " + received);
      received.write(buf, 0, n);
    }
    String[] lines = received.toString(StandardCharsets.ISO_8859_1).substring(0, headEnd).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
    }
    String length = headers.get("content-length");
    int bodyStart = headEnd + 4;
    while (length == null || received.size() - bodyStart < Integer.parseInt(length)) {
      int n = in.read(buf);
      if (n < 0) break;
      received.write(buf, 0, n);
    }
    byte[] all = received.toByteArray();
    return new Response(status, headers, new String(all, bodyStart, all.length - bodyStart, StandardCharsets.UTF_8));
  }

  private static int count(String text, String marker) {
    int n = 0;
    for (int i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1)) n++;
    return n;
  }

  /** Leaves abruptly: the connection is reset (SO_LINGER 0, an RST), as a client killed mid-exchange does. */
  public void reset() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
