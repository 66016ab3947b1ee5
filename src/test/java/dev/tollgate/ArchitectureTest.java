package dev.tollgate;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/** The gateway's packages keep DESIGN.md's layers; and each rule does fail on code that breaks it. */
class ArchitectureTest {
  private static final String ROOT = "dev.tollgate";
  private static final String FIXTURE = "dev.tollgate.archfixture";
  private static final JavaClasses GATEWAY = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
  /**
   * Classes that break every rule: core imports the pipeline (and so makes a cycle), quota imports
   * billing, the fake provider imports core, Anthropic's format imports OpenAI's.
   */
  private static final JavaClasses BROKEN = new ClassFileImporter().importPackages(FIXTURE);

  @Test
  void the_gateway_has_no_cycles_between_packages() {
    assertThat(GATEWAY.size()).isGreaterThan(100);
    Architecture.noCyclesBetweenPackages(ROOT).check(GATEWAY);
  }

  @Test
  void the_gateways_layers_depend_downward_only() {
    Architecture.layersDependDownwardOnly(ROOT).check(GATEWAY);
  }

  @Test
  void quota_billing_and_the_providers_do_not_reach_into_each_other() {
    Architecture.domainPackagesAreIndependent(ROOT).forEach(rule -> rule.check(GATEWAY));
  }

  @Test
  void the_openai_and_anthropic_formats_know_nothing_of_each_other() {
    Architecture.apiFormatsAreIndependent(ROOT).forEach(rule -> rule.check(GATEWAY));
  }

  @Test
  void the_fake_provider_imports_nothing_of_the_gateway() {
    Architecture.fakeProviderImportsNothingOfTheGateway(ROOT).check(GATEWAY);
  }

  @Test
  void each_rule_fails_on_code_that_breaks_it() {
    assertThat(BROKEN.size()).isEqualTo(7);
    assertViolated(Architecture.noCyclesBetweenPackages(FIXTURE), "Cycle detected");
    assertViolated(Architecture.layersDependDownwardOnly(FIXTURE), "archfixture.core.Leaf");
    assertViolated(Architecture.fakeProviderImportsNothingOfTheGateway(FIXTURE), "archfixture.mock.Fake");
    assertThat(Architecture.domainPackagesAreIndependent(FIXTURE))
        .anySatisfy(rule -> assertThat(rule.evaluate(BROKEN).getFailureReport().toString()).contains("archfixture.quota.Gate"));
    assertThat(Architecture.apiFormatsAreIndependent(FIXTURE))
        .anySatisfy(rule -> assertThat(rule.evaluate(BROKEN).getFailureReport().toString()).contains("archfixture.wire.anthropic.Claude"));
  }

  private static void assertViolated(ArchRule rule, String mention) {
    var result = rule.evaluate(BROKEN);
    assertThat(result.hasViolation()).as(rule.getDescription()).isTrue();
    assertThat(result.getFailureReport().toString()).contains(mention);
  }
}
