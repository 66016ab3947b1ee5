package dev.tollgate.dashboard;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web dashboard at {@code /dashboard/}: static files inside the jar and Chart.js from its WebJar, nothing
 * from outside. The page holds no data of its own: it calls the admin API with the admin token, or the team API
 * with a team key, which the browser keeps in its session storage and sends as a header (never in a URL or a
 * cookie). The content security policy lets the page load and call only this origin.
 */
public final class Dashboard {
  /** Where the WebJar puts Chart.js's browser build; a test fetches it, so a version bump without this fails. */
  static final String CHART_JS = "META-INF/resources/webjars/chart.js/4.4.7/dist";
  private static final String FILES = "META-INF/tollgate/dashboard";
  private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private Dashboard() {}

  public static void mount(Router router) {
    // Vert.x matches "/dashboard" for "/dashboard/" too: only the bare path is redirected
    router.get("/dashboard").handler(ctx -> {
      if (ctx.request().path().endsWith("/")) ctx.next();
      else ctx.response().setStatusCode(301).putHeader("location", "/dashboard/").end();
    });
    router.route("/dashboard/*").handler(Dashboard::secure);
    router.get("/dashboard/vendor/*").handler(StaticHandler.create(CHART_JS).setCachingEnabled(true).setMaxAgeSeconds(86_400));
    router.get("/dashboard/*").handler(StaticHandler.create(FILES).setCachingEnabled(false).setIndexPage("index.html"));
  }

  private static void secure(RoutingContext ctx) {
    ctx.response()
        .putHeader("content-security-policy", POLICY)
        .putHeader("x-content-type-options", "nosniff")
        .putHeader("referrer-policy", "no-referrer")
        .putHeader("x-frame-options", "DENY")
        .putHeader("cache-control", "no-store");
    ctx.next();
  }
}
