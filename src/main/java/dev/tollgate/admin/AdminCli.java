package dev.tollgate.admin;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code tollgate admin …}: a thin command line over the admin HTTP API. The gateway's URL and the
 * admin token come from {@code --url} / {@code TOLLGATE_URL} and {@code TOLLGATE_ADMIN_TOKEN}.
 */
public final class AdminCli {
  static final String USAGE = """
      usage: tollgate admin [--url http://127.0.0.1:8080] COMMAND
        teams list                      teams get ID                 teams delete ID
        teams create ID [JSON]          teams update ID JSON         teams quota ID
        keys list TEAM                  keys create TEAM NAME [JSON]
        keys revoke KEY                 keys rotate KEY [GRACE_SECONDS]
        usage [QUERY]                   e.g. usage 'team=search&group_by=model&from=2026-11-01'
      The admin token is read from TOLLGATE_ADMIN_TOKEN.""";

  private AdminCli() {}

  /** Runs one command; returns the process exit code. */
  public static int run(List<String> args, Map<String, String> env) {
    String url = env.getOrDefault("TOLLGATE_URL", "http://127.0.0.1:8080");
    int i = 0;
    if (args.size() >= 2 && args.get(0).equals("--url")) {
      url = args.get(1);
      i = 2;
    }
    List<String> a = args.subList(i, args.size());
    String token = env.get("TOLLGATE_ADMIN_TOKEN");
    if (a.size() < 1 || token == null || token.isBlank()) {
      System.err.println(token == null || token.isBlank() ? "tollgate admin: set TOLLGATE_ADMIN_TOKEN\n" + USAGE : USAGE);
      return 2;
    }
    String[] call;
    try {
      call = request(a);
    } catch (IllegalArgumentException e) {
      System.err.println("tollgate admin: " + e.getMessage() + "\n" + USAGE);
      return 2;
    }
    if (call == null) {
      System.err.println(USAGE);
      return 2;
    }
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + call[1])).timeout(Duration.ofSeconds(30))
          .header("authorization", "Bearer " + token).header("content-type", "application/json")
          .method(call[0], call[2] == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(call[2]));
      HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
      (r.statusCode() / 100 == 2 ? System.out : System.err).println(r.body().isEmpty() ? r.statusCode() : r.body());
      return r.statusCode() / 100 == 2 ? 0 : 1;
    } catch (Exception e) {
      System.err.println("tollgate admin: cannot reach " + url + ": " + e.getMessage());
      return 1;
    }
  }

  /** {method, path, body} for a command, or null when it is not one. */
  static String[] request(List<String> a) {
    String what = a.get(0) + " " + (a.size() > 1 ? a.get(1) : "");
    String x = a.size() > 2 ? enc(a.get(2)) : null;
    return switch (what) {
      case "teams list" -> new String[] {"GET", "/admin/teams", null};
      case "teams get" -> x == null ? null : new String[] {"GET", "/admin/teams/" + x, null};
      case "teams quota" -> x == null ? null : new String[] {"GET", "/admin/teams/" + x + "/quota", null};
      case "teams delete" -> x == null ? null : new String[] {"DELETE", "/admin/teams/" + x, null};
      case "teams create" -> x == null ? null : new String[] {"POST", "/admin/teams", withField(arg(a, 3, "{}"), "id", a.get(2))};
      case "teams update" -> x == null || a.size() < 4 ? null : new String[] {"PATCH", "/admin/teams/" + x, a.get(3)};
      case "keys list" -> x == null ? null : new String[] {"GET", "/admin/teams/" + x + "/keys", null};
      case "keys create" -> x == null || a.size() < 4 ? null
          : new String[] {"POST", "/admin/teams/" + x + "/keys", withField(arg(a, 4, "{}"), "name", a.get(3))};
      case "keys revoke" -> x == null ? null : new String[] {"POST", "/admin/keys/" + x + "/revoke", null};
      case "keys rotate" -> x == null ? null : new String[] {"POST", "/admin/keys/" + x + "/rotate",
          a.size() > 3 ? "{\"grace_seconds\":" + seconds(a.get(3)) + "}" : null};
      default -> a.get(0).equals("usage") ? new String[] {"GET", "/admin/usage" + (a.size() > 1 ? "?" + a.get(1) : ""), null} : null;
    };
  }

  private static long seconds(String arg) {
    try {
      return Long.parseLong(arg);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("GRACE_SECONDS must be a whole number of seconds, got '" + arg + "'");
    }
  }

  private static String arg(List<String> a, int i, String fallback) {
    return a.size() > i ? a.get(i) : fallback;
  }

  private static String withField(String json, String field, String value) {
    var node = AdminJson.JSON.createObjectNode();
    try {
      node.setAll((com.fasterxml.jackson.databind.node.ObjectNode) AdminJson.STRICT.readTree(json));
    } catch (Exception e) {
      throw new IllegalArgumentException("not a JSON object: " + json);
    }
    node.put(field, value);
    return node.toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
