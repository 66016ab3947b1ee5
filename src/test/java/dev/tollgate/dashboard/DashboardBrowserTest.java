package dev.tollgate.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.support.Admin;
import dev.tollgate.support.SeededStack;
import dev.tollgate.support.TestStack;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (headless Chromium driven by Selenium) against a gateway with known traffic:
 * the admin and the team view show the ledger's numbers, the team view nothing of another team; a screenshot of
 * each view goes to {@code target/screenshots/}. Needs Debian's {@code chromium} and {@code chromium-driver}
 * (or TOLLGATE_CHROMIUM / TOLLGATE_CHROMEDRIVER); without them it is skipped, unless
 * {@code -Dtollgate.browser-test=required} (set by {@code .ci/run}) makes their absence a failure.
 */
class DashboardBrowserTest {
  private static final String CHROMIUM = envOr("TOLLGATE_CHROMIUM", "/usr/bin/chromium");
  private static final String DRIVER = envOr("TOLLGATE_CHROMEDRIVER", "/usr/bin/chromedriver");
  private static final Path SHOTS = Path.of("target/screenshots");

  private static TestStack stack;
  private static Admin admin;
  private static WebDriver browser;
  private static String missing;

  private static String envOr(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  @BeforeAll
  static void start() {
    boolean present = new File(CHROMIUM).canExecute() && new File(DRIVER).canExecute();
    String why = "SKIPPED: the dashboard browser test needs Chromium and its driver (" + CHROMIUM + ", " + DRIVER
        + "): apt-get install chromium chromium-driver, or run .ci/run";
    if (!present && "required".equals(System.getProperty("tollgate.browser-test"))) throw new IllegalStateException(why);
    if (!present) {
      // skipped in the test itself, so Maven reports "Skipped: 1" rather than nothing
      System.err.println(why);
      missing = why;
      return;
    }

    stack = SeededStack.start();
    admin = new Admin(stack);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1440,900",
        "--force-color-profile=srgb", "--hide-scrollbars");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER)).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.quit();
    if (stack != null) stack.close();
  }

  private static WebDriverWait waiting() {
    return new WebDriverWait(browser, Duration.ofSeconds(20));
  }

  private static void signIn(String secret) {
    browser.get(stack.baseUrl() + "/dashboard/");
    WebElement field = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("secret")));
    field.sendKeys(secret);
    browser.findElement(By.cssSelector("#login-form button[type=submit]")).click();
    waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-tile=cost30]")));
  }

  private static void signOut() {
    browser.findElement(By.id("logout")).click();
    waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("secret")));
  }

  private static BigDecimal value(WebElement e) {
    return new BigDecimal(e.getAttribute("data-value"));
  }

  private static BigDecimal usd(JsonObject o, String field) {
    return new BigDecimal(o.getValue(field).toString());
  }

  /** The same 30-day window the dashboard asks for. */
  private static String month() {
    return "from=" + LocalDate.now(ZoneOffset.UTC).minusDays(29);
  }

  /** The whole page at a laptop's width (the window is 1440 × 900 while the test reads it). */
  private static void screenshot(String name) throws Exception {
    Files.createDirectories(SHOTS);
    Number height = (Number) ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollHeight");
    browser.manage().window().setSize(new org.openqa.selenium.Dimension(1440, Math.min(2400, height.intValue() + 140)));
    File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), SHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    browser.manage().window().setSize(new org.openqa.selenium.Dimension(1440, 900));
  }

  @Test
  void admin_and_team_views_show_the_ledgers_numbers_and_a_team_sees_only_itself() throws Exception {
    Assumptions.assumeTrue(missing == null, missing);
    // ---- admin: every team
    signIn(TestStack.ADMIN_TOKEN);
    waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#teams tr[data-team=beta] td[data-col=spent]")));
    JsonObject all = admin.ok("GET", "/admin/usage?group_by=team&" + month(), null).getJsonObject("total");
    assertThat(value(browser.findElement(By.cssSelector("[data-tile=cost30]")))).isEqualByComparingTo(usd(all, "cost_usd"));
    assertThat(value(browser.findElement(By.cssSelector("[data-tile=requests30]"))).longValue())
        .isEqualTo(SeededStack.ALPHA_REQUESTS + SeededStack.BETA_REQUESTS);
    for (String team : List.of("alpha", "beta")) {
      JsonObject budget = admin.ok("GET", "/admin/teams/" + team + "/quota", null).getJsonObject("budget");
      WebElement row = browser.findElement(By.cssSelector("#teams tr[data-team=" + team + "]"));
      WebElement spent = row.findElement(By.cssSelector("td[data-col=spent]"));
      assertThat(value(spent)).as(team).isEqualByComparingTo(usd(budget, "spent_usd"));
      assertThat(spent.getText()).matches("\\$\\d+\\.\\d{2,}");
      assertThat(value(row.findElement(By.cssSelector("td[data-col=remaining]")))).isEqualByComparingTo(usd(budget, "remaining_usd"));
      JsonObject ledger = admin.ok("GET", "/admin/usage?group_by=team&team=" + team + "&" + month(), null).getJsonObject("total");
      assertThat(value(row.findElement(By.cssSelector("td[data-col=cost]")))).as(team).isEqualByComparingTo(usd(ledger, "cost_usd"));
      assertThat(value(row.findElement(By.cssSelector("td[data-col=requests]"))).longValue()).isEqualTo(ledger.getLong("requests"));
    }
    // nearest their budget first
    List<WebElement> rows = browser.findElements(By.cssSelector("#teams tbody tr"));
    BigDecimal first = value(rows.get(0).findElement(By.cssSelector("td[data-col=used]")));
    BigDecimal second = value(rows.get(1).findElement(By.cssSelector("td[data-col=used]")));
    assertThat(first).isGreaterThanOrEqualTo(second);
    assertThat(browser.findElements(By.cssSelector("#by-model + *, #by-model"))).isNotEmpty();
    assertThat(browser.getCurrentUrl()).doesNotContain(TestStack.ADMIN_TOKEN);
    assertThat(((JavascriptExecutor) browser).executeScript("return document.cookie")).isEqualTo("");
    screenshot("dashboard-admin.png");
    signOut();

    // ---- team alpha: its own numbers, nothing of beta
    signIn(TestStack.ALPHA_KEY);
    waiting().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#keys tbody tr")));
    JsonObject own = admin.ok("GET", "/admin/usage?group_by=team&team=alpha&" + month(), null).getJsonObject("total");
    JsonObject budget = admin.ok("GET", "/admin/teams/alpha/quota", null).getJsonObject("budget");
    assertThat(value(browser.findElement(By.cssSelector("[data-tile=cost30]")))).isEqualByComparingTo(usd(own, "cost_usd"));
    assertThat(value(browser.findElement(By.cssSelector("[data-tile=spent]")))).isEqualByComparingTo(usd(budget, "spent_usd"));
    assertThat(value(browser.findElement(By.cssSelector("[data-tile=requests30]"))).longValue()).isEqualTo(SeededStack.ALPHA_REQUESTS);
    assertThat(browser.findElements(By.cssSelector("#by-key tbody tr"))).hasSize(1);
    assertThat(browser.findElement(By.cssSelector("#by-key tbody tr")).getAttribute("data-key")).isEqualTo("cfg-alpha-main");
    String page = browser.findElement(By.tagName("body")).getText();
    assertThat(page).contains("team alpha").doesNotContain("beta").doesNotContain(TestStack.ALPHA_KEY);
    assertThat(browser.getPageSource()).doesNotContain("beta").doesNotContain("cfg-beta");
    assertThat(browser.getCurrentUrl()).doesNotContain(TestStack.ALPHA_KEY);
    @SuppressWarnings("unchecked")
    List<String> loaded = (List<String>) ((JavascriptExecutor) browser)
        .executeScript("return performance.getEntriesByType('resource').map(e => e.name)");
    assertThat(loaded).isNotEmpty().allSatisfy(url -> assertThat(url).startsWith(stack.baseUrl() + "/"));
    screenshot("dashboard-team.png");
  }
}
