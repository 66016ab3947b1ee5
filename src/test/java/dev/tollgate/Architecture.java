package dev.tollgate;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.List;

/**
 * The layering of DESIGN.md as executable rules, for the packages under a root ({@code dev.tollgate}
 * for the gateway; a fixture root for the test that shows each rule can fail). Higher layers may import
 * lower ones, never the other way; same-layer domain packages are independent of each other; the fake
 * provider imports nothing of the gateway.
 */
final class Architecture {
  private static final String[] DOMAIN = {"quota", "billing", "cache", "provider"};

  private Architecture() {}

  static ArchRule noCyclesBetweenPackages(String root) {
    return slices().matching(root + ".(**)").should().beFreeOfCycles();
  }

  static ArchRule layersDependDownwardOnly(String root) {
    return layeredArchitecture().consideringOnlyDependenciesInLayers().withOptionalLayers(true)
        .layer("core").definedBy(root + ".core..")
        .layer("base").definedBy(root + ".team..", root + ".metrics..")
        .layer("formats").definedBy(root + ".config..", root + ".route..", root + ".wire..")
        .layer("domain").definedBy(packages(root, DOMAIN))
        .layer("auth").definedBy(root + ".auth..")
        .layer("store").definedBy(root + ".store..")
        .layer("pipeline").definedBy(root + ".pipeline..")
        .layer("edge").definedBy(root + ".admin..", root + ".dashboard..", root + ".server..")
        .whereLayer("edge").mayNotBeAccessedByAnyLayer()
        .whereLayer("pipeline").mayOnlyBeAccessedByLayers("edge")
        .whereLayer("store").mayOnlyBeAccessedByLayers("pipeline", "edge")
        .whereLayer("auth").mayOnlyBeAccessedByLayers("store", "pipeline", "edge")
        .whereLayer("domain").mayOnlyBeAccessedByLayers("auth", "store", "pipeline", "edge")
        .whereLayer("formats").mayOnlyBeAccessedByLayers("domain", "auth", "store", "pipeline", "edge")
        .whereLayer("base").mayOnlyBeAccessedByLayers("formats", "domain", "auth", "store", "pipeline", "edge")
        .whereLayer("core").mayOnlyBeAccessedByLayers("base", "formats", "domain", "auth", "store", "pipeline", "edge");
  }

  /** Quota, billing, cache and the providers receive plain values; none reaches into another. */
  static List<ArchRule> domainPackagesAreIndependent(String root) {
    List<ArchRule> rules = new ArrayList<>();
    for (String p : DOMAIN) {
      List<String> others = new ArrayList<>();
      for (String o : DOMAIN) if (!o.equals(p)) others.add(root + "." + o + "..");
      rules.add(noClasses().that().resideInAPackage(root + "." + p + "..")
          .should().dependOnClassesThat().resideInAnyPackage(others.toArray(String[]::new))
          .allowEmptyShould(true));
    }
    return rules;
  }

  /**
   * Each client API's format stands alone: OpenAI's and Anthropic's know nothing of each other; only the bridges
   * between them (and the layers above) know both.
   */
  static List<ArchRule> apiFormatsAreIndependent(String root) {
    String openai = root + ".wire.openai..";
    String anthropic = root + ".wire.anthropic..";
    return List.of(
        noClasses().that().resideInAPackage(openai).should().dependOnClassesThat().resideInAnyPackage(anthropic, root + ".wire.bridge..")
            .allowEmptyShould(true),
        noClasses().that().resideInAPackage(anthropic).should().dependOnClassesThat().resideInAnyPackage(openai, root + ".wire.bridge..")
            .allowEmptyShould(true));
  }

  static ArchRule fakeProviderImportsNothingOfTheGateway(String root) {
    return noClasses().that().resideInAPackage(root + ".mock..")
        .should().dependOnClassesThat(resideInAPackage(root + "..").and(not(resideInAnyPackage(root + ".mock.."))));
  }

  private static String[] packages(String root, String... names) {
    String[] out = new String[names.length];
    for (int i = 0; i < names.length; i++) out[i] = root + "." + names[i] + "..";
    return out;
  }
}
