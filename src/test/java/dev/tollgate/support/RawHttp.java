package dev.tollgate.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** An HTTP/1.1 request over a plain socket, for tests that control exactly when a client reads or leaves. */
public final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;

  public RawHttp(int port, String path, String key, String body, String... headers) throws IOException {
    this(new Socket(), port, path, key, body, headers);
  }

  private RawHttp(Socket socket, int port, String path, String key, String body, String... headers) throws IOException {
    this.socket = socket;
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
    socket.setSoTimeout(15_000);
    StringBuilder req = new StringBuilder()
        .append("POST ").append(path).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1\r\n")
        .append("Authorization: Bearer ").append(key).append("\r\n")
        .append("Content-Type: application/json\r\n");
    for (int i = 0; i + 1 < headers.length; i += 2) req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    req.append("Content-Length: ").append(bytes.length).append("\r\n\r\n");
    OutputStream out = socket.getOutputStream();
    out.write(req.toString().getBytes(StandardCharsets.UTF_8));
    out.write(bytes);
    out.flush();
    in = socket.getInputStream();
  }

  /** A client with a small receive buffer, so the kernel holds little of what it does not read. */
  public static RawHttp slowReader(int port, String path, String key, String body, String... headers) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(16 * 1024);
    return new RawHttp(socket, port, path, key, body, headers);
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

  private static int count(String text, String marker) {
    int n = 0;
    for (int i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1)) n++;
    return n;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
