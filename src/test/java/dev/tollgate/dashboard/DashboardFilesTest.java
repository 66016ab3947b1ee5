package dev.tollgate.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.support.TestStack;
import java.net.http.HttpResponse;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dashboard's files come from the jar, load nothing from outside, and carry a strict content security policy. */
class DashboardFilesTest {
  private static final Pattern OUTSIDE = Pattern.compile("(src|href)=\"(https?:)?//|fetch\\(\"https?:|url\\(\"?https?:");
  private static TestStack stack;

  @BeforeAll
  static void start() {
    stack = TestStack.start();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Test
  void the_page_its_scripts_and_chart_js_are_served_from_the_jar_with_a_strict_policy() {
    HttpResponse<String> bare = stack.http.get("/dashboard");
    assertThat(bare.statusCode()).isEqualTo(301);
    assertThat(bare.headers().firstValue("location")).hasValue("/dashboard/");

    HttpResponse<String> page = stack.http.get("/dashboard/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type").orElse("")).startsWith("text/html");
    assertThat(page.headers().firstValue("content-security-policy").orElse(""))
        .contains("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'");
    assertThat(page.body()).contains("vendor/chart.umd.js", "app.js").doesNotContainPattern(OUTSIDE)
        .doesNotContainPattern("<script>[^<]");

    for (String file : new String[] {"app.js", "format.js", "app.css"}) {
      HttpResponse<String> r = stack.http.get("/dashboard/" + file);
      assertThat(r.statusCode()).as(file).isEqualTo(200);
      assertThat(r.body()).as(file).doesNotContainPattern(OUTSIDE);
    }
    HttpResponse<String> chart = stack.http.get("/dashboard/vendor/chart.umd.js");
    assertThat(chart.statusCode()).isEqualTo(200);
    assertThat(chart.body()).contains("Chart.js v4");
    assertThat(stack.http.get("/dashboard/vendor/../../admin/teams").statusCode()).isNotEqualTo(200);
  }

  @Test
  void the_secret_is_kept_in_session_storage_and_sent_only_as_a_header() {
    String app = stack.http.get("/dashboard/app.js").body();
    assertThat(app).contains("sessionStorage").doesNotContain("localStorage").doesNotContain("document.cookie")
        .contains("authorization: \"Bearer \" + state.secret").contains("credentials: \"omit\"");
    assertThat(stack.http.get("/dashboard/").body()).contains("method=\"post\"").contains("type=\"password\"");
  }
}
