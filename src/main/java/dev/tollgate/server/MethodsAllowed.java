package dev.tollgate.server;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.Set;
import java.util.TreeSet;

/** The methods the router serves on a path, for a 405's {@code Allow} header (empty: the path is unknown). */
final class MethodsAllowed {
  private MethodsAllowed() {}

  static String on(Router router, String path) {
    Set<String> methods = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      String pattern = route.getPath();
      if (pattern == null || route.methods() == null || !matches(pattern, path)) continue;
      for (HttpMethod m : route.methods()) methods.add(m.name());
    }
    return String.join(", ", methods);
  }

  /** {@code /admin/teams/:id} matches {@code /admin/teams/alpha}: segment by segment, a {@code :param} matching any. */
  private static boolean matches(String pattern, String path) {
    String[] p = pattern.split("/", -1);
    String[] s = path.split("/", -1);
    if (p.length != s.length) return false;
    for (int i = 0; i < p.length; i++) {
      if (!p[i].startsWith(":") && !p[i].equals(s[i])) return false;
      if (p[i].startsWith(":") && s[i].isEmpty()) return false;
    }
    return true;
  }
}
