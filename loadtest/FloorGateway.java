import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The floor for a gateway that bills, for non-streamed requests only (a stream is read whole, billed nothing): the
 * bare relay (BareRelay.java) plus the least each of the throughput goal's
 * "auth, quotas and billing on" must do, written as directly as the stack allows, and nothing else (no routing, no
 * metrics, no deadlines, no retries, no journal, no price book, no request ids). Per request: the team key's
 * SHA-256 looked up in a map (auth), the request's model and messages read by Jackson's streaming parser and their
 * tokens counted (jtokkit, a count per distinct text kept), a request counter and a token counter per team (quotas:
 * the estimate reserved, then settled to the usage), the answer's
 * {@code usage} read with Jackson's streaming parser (billing from the provider's usage), and one ledger row
 * per request handed to one writer thread that inserts them into SQLite (WAL, synchronous=NORMAL, as Tollgate's
 * store) in batches of up to 100-500 records, one transaction each.
 *
 * <pre>java -cp target/tollgate.jar loadtest/FloorGateway.java --port 18080 --upstream 127.0.0.1:18081 --ledger FILE [--schema tollgate|minimal|bare|none] [--read-request true|false]</pre>
 *
 * {@code --schema tollgate}: the ledger table as Tollgate's store has it (29 columns; the id's unique index and
 * indexes on ts, (team_id, ts) and request_id). {@code minimal}: 12 columns, the id's unique index and (team_id,
 * ts) only — about the least a ledger finance can query by team and time needs. {@code bare}: the same 12 columns
 * (and a rowid alias) in a table with no index at all, rows appended by rowid: the cheapest row SQLite can take, a lower bound rather
 * than a ledger anyone could query by team. {@code none}: no ledger write at
 * all (the rows are not made). {@code --read-request false}: the request's body is not read (no model, no estimate). FILE is deleted first: each start writes a fresh ledger, as ab.sh gives Tollgate. The team key is BENCH_TEAM_KEY's (post.lua's by default).
 */
public class FloorGateway extends AbstractVerticle {
  static int port = 18080;
  static String upstreamHost = "127.0.0.1";
  static int upstreamPort = 18081;
  static String ledgerFile;
  static String schema = "tollgate";
  static boolean readRequest = true;
  static final com.knuddels.jtokkit.api.Encoding O200K =
      com.knuddels.jtokkit.Encodings.newLazyEncodingRegistry().getEncoding(com.knuddels.jtokkit.api.EncodingType.O200K_BASE);
  /** Token counts per distinct message text, as Tollgate's count cache keeps them (bounded here by the benchmark's one prompt). */
  static final java.util.Map<String, Integer> COUNTS = new java.util.concurrent.ConcurrentHashMap<>();
  static String providerKey = System.getenv().getOrDefault("BENCH_PROVIDER_KEY", "sk-bench-provider");
  /** Client headers not forwarded: the same set as Tollgate's and BareRelay's. */
  static final Set<String> NOT_FORWARDED = Set.of(
      "authorization", "api-key", "x-api-key", "openai-organization", "openai-project", "cookie",
      "host", "content-length", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
      "proxy-authorization", "proxy-connection", "accept-encoding", "x-request-id", "expect", "cache-control");
  /** SHA-256 of each team key (hex) to its team. */
  static final java.util.Map<String, String> KEYS = new java.util.concurrent.ConcurrentHashMap<>();
  static final java.util.Map<String, AtomicLong[]> QUOTAS = new java.util.concurrent.ConcurrentHashMap<>();
  static final JsonFactory JSON = new JsonFactory();
  static final ConcurrentLinkedQueue<Object[]> queue = new ConcurrentLinkedQueue<>();
  static final AtomicInteger queued = new AtomicInteger();
  static volatile Thread writer;
  static final AtomicLong ids = new AtomicLong(System.currentTimeMillis() << 20);

  public static void main(String[] args) throws Exception {
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--upstream" -> {
          upstreamHost = args[i + 1].substring(0, args[i + 1].lastIndexOf(':'));
          upstreamPort = Integer.parseInt(args[i + 1].substring(args[i + 1].lastIndexOf(':') + 1));
        }
        case "--ledger" -> ledgerFile = args[i + 1];
        case "--schema" -> schema = args[i + 1];
        case "--read-request" -> readRequest = Boolean.parseBoolean(args[i + 1]);
        default -> { } // --config (ab.sh appends one): not needed
      }
    }
    String teamKey = System.getenv().getOrDefault("BENCH_TEAM_KEY", "tg-bench-key-0123456789abcdefghijklmnopqrstu");
    KEYS.put(sha256(teamKey), "loadtest");
    QUOTAS.put("loadtest", new AtomicLong[] {new AtomicLong(), new AtomicLong()});
    if (!schema.equals("none")) {
      if (ledgerFile == null) throw new IllegalArgumentException("--ledger FILE is needed unless --schema none");
      for (String suffix : new String[] {"", "-wal", "-shm"}) java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(ledgerFile + suffix));
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + ledgerFile + "?journal_mode=WAL&synchronous=NORMAL");
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        if (schema.equals("tollgate")) {
          s.execute("CREATE TABLE IF NOT EXISTS usage_records (id TEXT PRIMARY KEY, request_id TEXT NOT NULL, ts INTEGER NOT NULL, "
              + "team_id TEXT NOT NULL, key_id TEXT NOT NULL, model_requested TEXT NOT NULL, model TEXT NOT NULL, upstream_model TEXT, "
              + "provider TEXT, endpoint TEXT NOT NULL, stream BOOLEAN NOT NULL, prompt_tokens INTEGER NOT NULL, "
              + "completion_tokens INTEGER NOT NULL, cached_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, "
              + "cost_nano INTEGER NOT NULL, priced BOOLEAN NOT NULL, estimated BOOLEAN NOT NULL, cache_hit BOOLEAN NOT NULL, "
              + "status INTEGER NOT NULL, latency_ms INTEGER NOT NULL, ttft_ms INTEGER, end_user TEXT, cache_status TEXT, "
              + "saved_prompt_tokens INTEGER NOT NULL DEFAULT 0, saved_completion_tokens INTEGER NOT NULL DEFAULT 0, "
              + "saved_cost_nano INTEGER NOT NULL DEFAULT 0, outcome TEXT, cache_write_tokens INTEGER NOT NULL DEFAULT 0)");
          s.execute("CREATE INDEX IF NOT EXISTS usage_records_ts ON usage_records (ts)");
          s.execute("CREATE INDEX IF NOT EXISTS usage_records_request ON usage_records (request_id)");
        } else if (schema.equals("bare")) {
          s.execute("CREATE TABLE IF NOT EXISTS usage_records (rowid_ INTEGER PRIMARY KEY, id TEXT NOT NULL, request_id TEXT NOT NULL, "
              + "ts INTEGER NOT NULL, team_id TEXT NOT NULL, key_id TEXT NOT NULL, model TEXT NOT NULL, prompt_tokens INTEGER NOT NULL, "
              + "completion_tokens INTEGER NOT NULL, cost_nano INTEGER NOT NULL, status INTEGER NOT NULL, "
              + "latency_ms INTEGER NOT NULL, endpoint TEXT NOT NULL)");
        } else {
          s.execute("CREATE TABLE IF NOT EXISTS usage_records (id TEXT PRIMARY KEY, request_id TEXT NOT NULL, ts INTEGER NOT NULL, "
              + "team_id TEXT NOT NULL, key_id TEXT NOT NULL, model TEXT NOT NULL, prompt_tokens INTEGER NOT NULL, "
              + "completion_tokens INTEGER NOT NULL, cost_nano INTEGER NOT NULL, status INTEGER NOT NULL, "
              + "latency_ms INTEGER NOT NULL, endpoint TEXT NOT NULL)");
        }
        if (!schema.equals("bare")) s.execute("CREATE INDEX IF NOT EXISTS usage_records_team_ts ON usage_records (team_id, ts)");
      }
      c.setAutoCommit(false);
      writer = new Thread(() -> write(c), "floor-ledger");
      writer.setDaemon(true);
      writer.start();
    }
    int loops = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(loops));
    vertx.deployVerticle(FloorGateway::new, new DeploymentOptions().setInstances(loops))
        .onSuccess(id -> System.out.println("floor gateway :" + port + " -> " + upstreamHost + ":" + upstreamPort
            + ", ledger schema " + schema + (vertx.isNativeTransportEnabled() ? " (native epoll)" : " (NIO)") + ", " + loops + " event loops"))
        .onFailure(e -> { e.printStackTrace(); System.exit(1); });
  }

  @Override
  public void start(Promise<Void> started) {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setTcpNoDelay(true).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(10_000));
    vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true)).requestHandler(req -> req.body().onSuccess(body -> {
      try {
        handle(client, req, body);
      } catch (RuntimeException e) {
        req.response().setStatusCode(500).end();
      }
    })).listen(port, "127.0.0.1").<Void>mapEmpty().onComplete(started);
  }

  void handle(HttpClient client, io.vertx.core.http.HttpServerRequest req, Buffer body) {
    long start = System.nanoTime();
    String auth = req.getHeader("authorization");
    String team = auth != null && auth.startsWith("Bearer ") ? KEYS.get(sha256(auth.substring(7))) : null;
    if (team == null) {
      req.response().setStatusCode(401).end();
      return;
    }
    long estimate = readRequest ? promptTokens(body) : 0;
    if (estimate < 0) {
      req.response().setStatusCode(400).end();
      return;
    }
    AtomicLong[] quota = QUOTAS.get(team);
    quota[0].incrementAndGet();
    quota[1].addAndGet(estimate); // reserved at admission, settled to the usage below
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    req.headers().forEach((name, value) -> {
      if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) headers.add(name, value);
    });
    headers.set("authorization", "Bearer " + providerKey);
    headers.set("content-type", "application/json");
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(upstreamHost)
        .setPort(upstreamPort).setURI(req.uri()).setHeaders(headers);
    client.request(options).compose(up -> up.send(body)).onSuccess(answer -> answer.body().onSuccess(out -> {
      var response = req.response().setStatusCode(answer.statusCode());
      String type = answer.getHeader("content-type");
      if (type != null) response.putHeader("content-type", type);
      response.end(out);
      long[] usage = usage(out);
      quota[1].addAndGet(usage[0] + usage[1] - estimate);
      record(team, answer.statusCode(), usage, (System.nanoTime() - start) / 1_000_000);
    }).onFailure(e -> req.response().setStatusCode(502).end())).onFailure(e -> req.response().setStatusCode(502).end());
  }

  /**
   * The request's model (required) and its messages' text, read by Jackson's streaming parser, and the text's tokens
   * counted (jtokkit, o200k) once per distinct text: the least admission needs to reserve a token quota. -1: no model.
   */
  static long promptTokens(Buffer body) {
    String model = null;
    long tokens = 0;
    try (JsonParser p = JSON.createParser(body.getBytes())) {
      if (p.nextToken() != JsonToken.START_OBJECT) return -1;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (name.equals("model") && t == JsonToken.VALUE_STRING) {
          model = p.getText();
        } else if (name.equals("messages") && t == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String field = p.currentName();
              JsonToken v = p.nextToken();
              if (field.equals("content") && v == JsonToken.VALUE_STRING) {
                tokens += COUNTS.computeIfAbsent(p.getText(), O200K::countTokensOrdinary) + 4;
              } else {
                p.skipChildren();
              }
            }
          }
        } else {
          p.skipChildren();
        }
      }
    } catch (java.io.IOException e) {
      return -1;
    }
    return model == null ? -1 : tokens;
  }

  /** prompt_tokens and completion_tokens of the answer's usage, read by Jackson's streaming parser. */
  static long[] usage(Buffer body) {
    long[] usage = new long[2];
    try (JsonParser p = JSON.createParser(body.getBytes())) {
      if (p.nextToken() != JsonToken.START_OBJECT) return usage;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (name.equals("usage") && t == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("prompt_tokens")) usage[0] = p.getLongValue();
            else if (field.equals("completion_tokens")) usage[1] = p.getLongValue();
            else p.skipChildren();
          }
        } else {
          p.skipChildren();
        }
      }
    } catch (java.io.IOException e) {
      // no usage: nothing billed by the floor
    }
    return usage;
  }

  static void record(String team, int status, long[] usage, long latencyMs) {
    if (writer == null) return;
    long id = ids.incrementAndGet();
    queue.add(new Object[] {"use_" + Long.toHexString(id), "req_" + Long.toHexString(id), System.currentTimeMillis(), team,
        "key_load", "gpt-bench", usage[0], usage[1], (usage[0] * 150 + usage[1] * 600), status, latencyMs});
    if (queued.incrementAndGet() == 100) LockSupport.unpark(writer);
  }

  /** The writer thread: a batch when 100 records wait, or every 50 ms. */
  static void write(Connection c) {
    try {
      String sql = schema.equals("tollgate")
          ? "INSERT INTO usage_records (id, request_id, ts, team_id, key_id, model_requested, model, upstream_model, provider, "
              + "endpoint, stream, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens, cost_nano, priced, estimated, "
              + "cache_hit, status, latency_ms, ttft_ms, end_user, cache_status, saved_prompt_tokens, saved_completion_tokens, "
              + "saved_cost_nano, outcome, cache_write_tokens) VALUES (" + "?, ".repeat(28) + "?) ON CONFLICT (id) DO NOTHING"
          : "INSERT INTO usage_records (id, request_id, ts, team_id, key_id, model, prompt_tokens, completion_tokens, cost_nano, "
              + "status, latency_ms, endpoint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" + (schema.equals("bare") ? "" : " ON CONFLICT (id) DO NOTHING");
      PreparedStatement ps = c.prepareStatement(sql);
      List<Object[]> batch = new ArrayList<>(512);
      while (true) {
        if (queued.get() < 100) LockSupport.parkNanos(50_000_000);
        Object[] r;
        while (batch.size() < 500 && (r = queue.poll()) != null) batch.add(r);
        if (batch.isEmpty()) continue;
        queued.addAndGet(-batch.size());
        for (Object[] e : batch) {
          int i = 1;
          ps.setString(i++, (String) e[0]);
          ps.setString(i++, (String) e[1]);
          ps.setLong(i++, (Long) e[2]);
          ps.setString(i++, (String) e[3]);
          ps.setString(i++, (String) e[4]);
          if (schema.equals("tollgate")) {
            ps.setString(i++, (String) e[5]);
            ps.setString(i++, (String) e[5]);
            ps.setString(i++, "gpt-4o-mini");
            ps.setString(i++, "fast");
            ps.setString(i++, "chat.completions");
            ps.setBoolean(i++, false);
            ps.setLong(i++, (Long) e[6]);
            ps.setLong(i++, (Long) e[7]);
            ps.setLong(i++, 0);
            ps.setLong(i++, 0);
            ps.setLong(i++, (Long) e[8]);
            ps.setBoolean(i++, true);
            ps.setBoolean(i++, false);
            ps.setBoolean(i++, false);
            ps.setInt(i++, (Integer) e[9]);
            ps.setLong(i++, (Long) e[10]);
            ps.setNull(i++, java.sql.Types.BIGINT);
            ps.setString(i++, null);
            ps.setString(i++, null);
            ps.setLong(i++, 0);
            ps.setLong(i++, 0);
            ps.setLong(i++, 0);
            ps.setString(i++, "ok");
            ps.setLong(i, 0);
          } else {
            ps.setString(i++, (String) e[5]);
            ps.setLong(i++, (Long) e[6]);
            ps.setLong(i++, (Long) e[7]);
            ps.setLong(i++, (Long) e[8]);
            ps.setInt(i++, (Integer) e[9]);
            ps.setLong(i++, (Long) e[10]);
            ps.setString(i, "chat.completions");
          }
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
        batch.clear();
      }
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  /** One digest per thread, as Tollgate's KeyHash keeps them. */
  static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  static String sha256(String s) {
    return HexFormat.of().formatHex(SHA256.get().digest(s.getBytes(StandardCharsets.UTF_8)));
  }
}
