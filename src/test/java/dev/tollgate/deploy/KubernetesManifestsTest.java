package dev.tollgate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.billing.PriceBook;
import dev.tollgate.config.ConfigLoader;
import dev.tollgate.config.GatewayConfig;
import dev.tollgate.support.TempFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What the Kubernetes manifests must agree on with the gateway: probe paths and ports, a termination grace
 * longer than the drain, every secret the config references mapped from a Secret, non-root, resource limits.
 * The base's files are read as they are (this always runs, with only a JDK and Maven); each overlay is also
 * rendered with {@code kubectl kustomize} where kubectl is installed, and the same checks run on the result.
 */
class KubernetesManifestsTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path K8S = Path.of("k8s");
  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)(:-[^}]*)?}");
  private static final Pattern PERCENT = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)");

  /** A set of manifests with the gateway config and prices its ConfigMap holds. */
  record Manifests(String source, List<JsonNode> docs, String gatewayYaml, String pricesYaml) {
    JsonNode one(String kind) {
      List<JsonNode> found = all(kind);
      assertThat(found).as("%s: one %s", source, kind).hasSize(1);
      return found.get(0);
    }

    List<JsonNode> all(String kind) {
      return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    JsonNode named(String kind, String name) {
      return all(kind).stream().filter(d -> name.equals(d.path("metadata").path("name").asText())).findFirst()
          .orElseThrow(() -> new AssertionError(source + ": no " + kind + " " + name));
    }

    JsonNode gateway() {
      return named("Deployment", "tollgate");
    }
  }

  @Test
  void the_base_agrees_with_the_gateway() throws Exception {
    Path base = K8S.resolve("base");
    List<JsonNode> docs = new ArrayList<>();
    for (JsonNode resource : YAML.readTree(base.resolve("kustomization.yaml").toFile()).path("resources")) {
      docs.addAll(readAll(Files.readString(base.resolve(resource.asText()))));
    }
    Manifests m = new Manifests("k8s/base", docs, Files.readString(base.resolve("gateway.yaml")),
        Files.readString(base.resolve("prices.yaml")));
    checkGateway(m);
    assertThat(m.pricesYaml()).as("k8s/base/prices.yaml is a copy of conf/prices.yaml").isEqualTo(
        Files.readString(Path.of("conf/prices.yaml")));
  }

  @Test
  void every_overlay_renders_with_kubectl_and_agrees_with_the_gateway() throws Exception {
    Assumptions.assumeTrue(onPath("kubectl"), "kubectl is not installed: the overlays were not rendered (the base's files were checked)");
    for (String overlay : List.of("dev", "prod")) {
      Manifests m = render(overlay);
      checkGateway(m);
      JsonNode volume = volume(m.gateway(), "config");
      String configMap = volume.path("configMap").path("name").asText();
      assertThat(m.all("ConfigMap")).as("%s: the mounted ConfigMap (with its content hash) is rendered", overlay)
          .anyMatch(c -> c.path("metadata").path("name").asText().equals(configMap));
      assertThat(m.all("Secret")).as("%s: no Secret is kept in the repository", overlay).isEmpty();
      for (JsonNode doc : m.docs()) {
        if (!doc.path("kind").asText().equals("Namespace")) {
          assertThat(doc.path("metadata").path("namespace").asText()).as("%s: %s namespaced", overlay, name(doc))
              .isEqualTo(overlay.equals("dev") ? "tollgate-dev" : "tollgate");
        }
      }
    }
  }

  @Test
  void the_dev_overlay_runs_postgresql_and_redis_as_statefulsets_with_small_volumes() throws Exception {
    Assumptions.assumeTrue(onPath("kubectl"), "kubectl is not installed: the dev overlay was not rendered");
    Manifests dev = render("dev");
    assertThat(dev.all("StatefulSet")).extracting(KubernetesManifestsTest::name)
        .containsExactlyInAnyOrder("tollgate-postgres", "tollgate-redis");
    for (JsonNode set : dev.all("StatefulSet")) {
      JsonNode claim = set.path("spec").path("volumeClaimTemplates").path(0);
      assertThat(claim.path("spec").path("resources").path("requests").path("storage").asText()).as(name(set)).matches("\\d+(Mi|Gi)");
      assertThat(dev.named("Service", set.path("spec").path("serviceName").asText())).isNotNull();
    }
    // the dev Secrets (k8s/secrets.sh dev) point the gateway at those Services
    Map<String, Map<String, String>> secrets = devSecrets();
    assertThat(secrets.get("tollgate-store").get("store-url")).startsWith("postgresql://tollgate:").endsWith("@tollgate-postgres:5432/tollgate");
    assertThat(secrets.get("tollgate-store").get("redis-url")).isEqualTo("redis://tollgate-redis:6379");
  }

  @Test
  void the_prod_overlay_runs_more_replicas_on_managed_services() throws Exception {
    Assumptions.assumeTrue(onPath("kubectl"), "kubectl is not installed: the prod overlay was not rendered");
    Manifests prod = render("prod");
    assertThat(prod.gateway().path("spec").path("replicas").asInt()).isGreaterThan(2);
    assertThat(prod.one("HorizontalPodAutoscaler").path("spec").path("minReplicas").asInt())
        .isEqualTo(prod.gateway().path("spec").path("replicas").asInt());
    assertThat(prod.all("StatefulSet")).as("PostgreSQL and Redis are managed services in prod").isEmpty();
    // the Grafana board and the alert rules ship with it, as the files in k8s/grafana and k8s/prometheus
    Map<String, JsonNode> maps = new java.util.HashMap<>();
    prod.all("ConfigMap").forEach(m -> maps.put(m.path("metadata").path("name").asText(), m));
    assertThat(maps.get("tollgate-grafana-board").path("data").path("tollgate-dashboard.json").asText())
        .isEqualTo(Files.readString(K8S.resolve("grafana/tollgate-dashboard.json")));
    assertThat(maps.get("tollgate-alert-rules").path("data").path("tollgate-alerts.yaml").asText())
        .isEqualTo(Files.readString(K8S.resolve("prometheus/tollgate-alerts.yaml")));
  }

  @Test
  void the_dev_secrets_script_makes_every_secret_key_the_pods_read() throws Exception {
    Assumptions.assumeTrue(onPath("bash") && onPath("base64"), "bash or base64 missing");
    Map<String, Map<String, String>> secrets = devSecrets();
    List<JsonNode> docs = new ArrayList<>(readAll(Files.readString(K8S.resolve("base/deployment.yaml"))));
    docs.addAll(readAll(Files.readString(K8S.resolve("overlays/dev/postgres.yaml"))));
    for (JsonNode doc : docs) {
      for (JsonNode container : doc.path("spec").path("template").path("spec").path("containers")) {
        for (JsonNode env : container.path("env")) {
          JsonNode ref = env.path("valueFrom").path("secretKeyRef");
          if (ref.isMissingNode()) continue;
          assertThat(secrets).as("Secret %s", ref.path("name").asText()).containsKey(ref.path("name").asText());
          assertThat(secrets.get(ref.path("name").asText())).as("Secret %s", ref.path("name").asText())
              .containsKey(ref.path("key").asText());
        }
      }
    }
  }

  /** The checks every rendering of the gateway must pass. */
  private static void checkGateway(Manifests m) throws IOException {
    JsonNode deployment = m.gateway();
    JsonNode pod = deployment.path("spec").path("template").path("spec");
    JsonNode container = pod.path("containers").path(0);
    String as = m.source() + ": ";

    // the config the ConfigMap holds loads, with every ${env:} reference filled from the Deployment's env
    Map<String, String> env = new HashMap<>();
    Set<String> fromSecrets = new TreeSet<>();
    for (JsonNode e : container.path("env")) {
      String name = e.path("name").asText();
      JsonNode secretRef = e.path("valueFrom").path("secretKeyRef");
      if (!secretRef.isMissingNode()) {
        fromSecrets.add(name);
        assertThat(secretRef.path("optional").asBoolean(false)).as(as + name + " is required").isFalse();
      }
      env.put(name, e.has("value") ? e.path("value").asText() : placeholder(name));
      if (name.matches(".*(KEY|TOKEN|PASSWORD|SECRET|_URL).*")) {
        assertThat(e.has("value")).as(as + name + " comes from a Secret, never a literal").isFalse();
      }
    }
    Set<String> referenced = new TreeSet<>();
    Matcher refs = ENV_REFERENCE.matcher(m.gatewayYaml().replaceAll("(?m)^\\s*#.*$", "").replaceAll("\\s#.*", ""));
    while (refs.find()) {
      if (refs.group(2) == null) referenced.add(refs.group(1));
    }
    assertThat(referenced).as(as + "references in gateway.yaml").isNotEmpty();
    assertThat(fromSecrets).as(as + "every secret gateway.yaml references comes from a Secret").containsAll(referenced);
    Path dir = TempFiles.dir("k8s-config");
    Files.writeString(dir.resolve("prices.yaml"), m.pricesYaml());
    GatewayConfig config = new ConfigLoader(env).parse(m.source() + "/gateway.yaml", m.gatewayYaml());
    assertThat(PriceBook.load(dir.resolve(Path.of(config.prices()).getFileName()))).isNotNull();
    assertThat(config.store()).as(as + "replicas share one PostgreSQL").startsWith("postgresql://");
    assertThat(config.redis()).as(as + "replicas share one Redis").startsWith("redis");
    assertThat(config.admin().token()).isNotNull();
    assertThat(config.prices()).as(as + "prices resolve under the mounted conf/").isEqualTo("conf/prices.yaml");
    assertThat(volumeMount(container, "config").path("mountPath").asText()).isEqualTo("/app/conf");
    assertThat(container.path("args").toString()).contains("/app/conf/gateway.yaml");

    // ports and probes
    int port = config.server().port();
    JsonNode http = null;
    for (JsonNode p : container.path("ports")) {
      if (p.path("name").asText().equals("http")) http = p;
    }
    assertThat(http).as(as + "a container port named http").isNotNull();
    assertThat(http.path("containerPort").asInt()).as(as + "the container port is server.port").isEqualTo(port);
    assertProbe(as + "readiness", container.path("readinessProbe"), "/readyz", port);
    assertProbe(as + "liveness", container.path("livenessProbe"), "/healthz", port);
    assertProbe(as + "startup", container.path("startupProbe"), "/healthz", port);
    JsonNode service = m.named("Service", "tollgate");
    assertThat(service.path("spec").path("ports").path(0).path("targetPort").asText()).isIn("http", String.valueOf(port));
    assertSelects(as + "Service", service.path("spec").path("selector"), deployment);
    assertSelects(as + "PodDisruptionBudget", m.one("PodDisruptionBudget").path("spec").path("selector").path("matchLabels"), deployment);
    JsonNode monitor = m.one("ServiceMonitor");
    assertThat(monitor.path("spec").path("endpoints").path(0).path("port").asText()).isEqualTo("http");
    assertThat(monitor.path("spec").path("endpoints").path(0).path("path").asText()).isEqualTo("/metrics");
    assertThat(monitor.path("spec").path("selector").path("matchLabels").properties())
        .allSatisfy(e -> assertThat(service.path("metadata").path("labels").path(e.getKey()).asText()).isEqualTo(e.getValue().asText()));
    JsonNode policy = m.named("NetworkPolicy", "tollgate");
    assertSelects(as + "NetworkPolicy", policy.path("spec").path("podSelector").path("matchLabels"), deployment);
    assertThat(policy.path("spec").path("ingress").toString()).as(as + "clients reach the port").contains("\"port\":" + port);

    // replicas and draining
    assertThat(deployment.path("spec").path("replicas").asInt()).as(as + "replicas").isGreaterThanOrEqualTo(2);
    JsonNode hpa = m.one("HorizontalPodAutoscaler");
    assertThat(hpa.path("spec").path("minReplicas").asInt()).isGreaterThanOrEqualTo(2);
    assertThat(hpa.path("spec").path("scaleTargetRef").path("name").asText()).isEqualTo("tollgate");
    long preStop = preStopSeconds(container);
    long grace = config.server().shutdownGrace().toSeconds();
    assertThat(pod.path("terminationGracePeriodSeconds").asLong()).as(as + "terminationGracePeriodSeconds > preStop %d s + shutdown-grace %d s "
        + "+ 10 s for the ledger's flush", preStop, grace).isGreaterThan(preStop + grace + 10);

    // non-root, read-only, no privilege escalation, capabilities dropped
    JsonNode podSecurity = pod.path("securityContext");
    JsonNode security = container.path("securityContext");
    assertThat(podSecurity.path("runAsNonRoot").asBoolean() || security.path("runAsNonRoot").asBoolean()).as(as + "runAsNonRoot").isTrue();
    assertThat(podSecurity.path("runAsUser").asLong(-1)).as(as + "runAsUser").isPositive();
    assertThat(security.path("allowPrivilegeEscalation").isBoolean() && !security.path("allowPrivilegeEscalation").asBoolean())
        .as(as + "allowPrivilegeEscalation: false").isTrue();
    assertThat(security.path("readOnlyRootFilesystem").asBoolean()).as(as + "readOnlyRootFilesystem").isTrue();
    assertThat(security.path("capabilities").path("drop").toString()).as(as + "capabilities dropped").contains("\"ALL\"");
    assertThat(security.path("privileged").asBoolean(false)).isFalse();
    assertThat(volumeMount(container, "tmp").path("mountPath").asText()).as(as + "a writable /tmp for native libraries").isEqualTo("/tmp");

    // resources, and a heap that fits in the memory limit
    JsonNode resources = container.path("resources");
    for (String kind : List.of("requests", "limits")) {
      for (String r : List.of("cpu", "memory")) {
        assertThat(resources.path(kind).path(r).asText()).as(as + kind + "." + r).isNotEmpty();
      }
    }
    String jvm = env.getOrDefault("JAVA_TOOL_OPTIONS", "");
    assertThat(jvm).as(as + "no fixed heap: it follows the memory limit").doesNotContain("-Xmx").contains("-XX:+ExitOnOutOfMemoryError");
    Matcher percent = PERCENT.matcher(jvm);
    assertThat(percent.find()).as(as + "MaxRAMPercentage set").isTrue();
    double heapShare = Double.parseDouble(percent.group(1));
    assertThat(heapShare).as(as + "room for direct buffers, metaspace and threads").isBetween(25.0, 75.0);
    long limit = bytes(resources.path("limits").path("memory").asText());
    assertThat(bytes(resources.path("requests").path("memory").asText())).as(as + "memory request = limit (no overcommit)").isEqualTo(limit);
    assertThat(limit * (100 - heapShare) / 100).as(as + "non-heap room").isGreaterThanOrEqualTo(256L << 20);
  }

  private static void assertProbe(String as, JsonNode probe, String path, int port) {
    assertThat(probe.isMissingNode()).as(as + " probe present").isFalse();
    assertThat(probe.path("httpGet").path("path").asText()).as(as + " path").isEqualTo(path);
    assertThat(probe.path("httpGet").path("port").asText()).as(as + " port").isIn("http", String.valueOf(port));
  }

  private static void assertSelects(String as, JsonNode selector, JsonNode deployment) {
    JsonNode labels = deployment.path("spec").path("template").path("metadata").path("labels");
    assertThat(selector.size()).as(as + " selector").isPositive();
    selector.properties().forEach(e -> assertThat(labels.path(e.getKey()).asText()).as(as + " selects the gateway's pods by " + e.getKey())
        .isEqualTo(e.getValue().asText()));
  }

  private static long preStopSeconds(JsonNode container) {
    JsonNode preStop = container.path("lifecycle").path("preStop");
    assertThat(preStop.isMissingNode()).as("a preStop hook").isFalse();
    if (preStop.has("sleep")) return preStop.path("sleep").path("seconds").asLong();
    JsonNode command = preStop.path("exec").path("command");
    assertThat(command.path(0).asText()).isEqualTo("sleep");
    return Long.parseLong(command.path(1).asText());
  }

  private static JsonNode volumeMount(JsonNode container, String volume) {
    for (JsonNode m : container.path("volumeMounts")) {
      if (m.path("name").asText().equals(volume)) return m;
    }
    throw new AssertionError("no volume mount " + volume);
  }

  private static JsonNode volume(JsonNode deployment, String name) {
    for (JsonNode v : deployment.path("spec").path("template").path("spec").path("volumes")) {
      if (v.path("name").asText().equals(name)) return v;
    }
    throw new AssertionError("no volume " + name);
  }

  private static String placeholder(String name) {
    return switch (name) {
      case "TOLLGATE_STORE_URL" -> "postgresql://tollgate:secret@db:5432/tollgate";
      case "TOLLGATE_REDIS_URL" -> "redis://cache:6379";
      default -> "placeholder-" + name.toLowerCase();
    };
  }

  private static long bytes(String quantity) {
    Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi)?").matcher(quantity);
    assertThat(m.matches()).as("a memory quantity: " + quantity).isTrue();
    long unit = m.group(2) == null ? 1 : switch (m.group(2)) {
      case "Ki" -> 1L << 10;
      case "Mi" -> 1L << 20;
      default -> 1L << 30;
    };
    return Long.parseLong(m.group(1)) * unit;
  }

  private static String name(JsonNode doc) {
    return doc.path("metadata").path("name").asText();
  }

  private static List<JsonNode> readAll(String yaml) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isEmpty()) docs.add(doc);
      }
    }
    return docs;
  }

  private static Manifests render(String overlay) throws Exception {
    String yaml = run("kubectl", "kustomize", K8S.resolve("overlays").resolve(overlay).toString());
    List<JsonNode> docs = readAll(yaml);
    JsonNode configMap = docs.stream().filter(d -> d.path("kind").asText().equals("ConfigMap")
        && d.path("metadata").path("name").asText().startsWith("tollgate-config")).findFirst().orElseThrow();
    return new Manifests("k8s/overlays/" + overlay + " (rendered)", docs, configMap.path("data").path("gateway.yaml").asText(),
        configMap.path("data").path("prices.yaml").asText());
  }

  /** What {@code k8s/secrets.sh dev} makes: Secret name -> key -> value. */
  private static Map<String, Map<String, String>> devSecrets() throws Exception {
    Map<String, Map<String, String>> out = new HashMap<>();
    for (JsonNode doc : readAll(run("bash", K8S.resolve("secrets.sh").toString(), "dev"))) {
      Map<String, String> data = new HashMap<>();
      doc.path("data").properties().forEach(e -> data.put(e.getKey(),
          new String(java.util.Base64.getDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8)));
      out.put(name(doc), data);
    }
    return out;
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command) + " finished").isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + " exit code").isZero();
    return new String(out, StandardCharsets.UTF_8);
  }

  private static boolean onPath(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.of(path.split(java.io.File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
  }
}
