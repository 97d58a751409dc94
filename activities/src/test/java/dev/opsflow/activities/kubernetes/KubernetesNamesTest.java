package dev.opsflow.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opsflow.activities.InvalidNameException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KubernetesNamesTest {
  private static final String LABEL_63 = "a".repeat(63);

  @ParameterizedTest
  @ValueSource(
      strings = {
        "demo",
        "kube-system",
        "a",
        "0",
        "team-42",
        "a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t-u-v-w-x-y-z-0-1-2-3-4-5"
      })
  void acceptsDns1123LabelsAsNamespaces(String ns) {
    assertThat(KubernetesNames.namespace("namespace", ns)).isEqualTo(ns);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "a/b", "..", ".", "Demo", "-demo", "demo-", "de_mo", "de.mo", "%2F", "a b"})
  void refusesNamespacesThatAreNotDns1123Labels(String ns) {
    assertThatThrownBy(() -> KubernetesNames.namespace("namespace", ns))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageStartingWith("namespace ")
        .hasMessageContaining("DNS-1123 label");
  }

  @Test
  void aLabelIsAtMost63Characters() {
    assertThat(KubernetesNames.isDns1123Label(LABEL_63)).isTrue();
    assertThat(KubernetesNames.isDns1123Label(LABEL_63 + "a")).isFalse();
    assertThat(KubernetesNames.isDns1123Label(null)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"orders-consumer", "orders.v2", "a.b.c", "0rders", "x"})
  void acceptsDns1123SubdomainsAsDeploymentAndConfigMapNames(String name) {
    assertThat(KubernetesNames.deployment("name", name)).isEqualTo(name);
    assertThat(KubernetesNames.configMap("configMap", name)).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../../prod/deployments/orders-consumer",
        "orders/consumer",
        "orders%2Fconsumer",
        "..",
        "a..b",
        ".orders",
        "orders.",
        "Orders",
        "orders\r\n",
        "orders consumer"
      })
  void refusesDeploymentNamesThatAreNotDns1123Subdomains(String name) {
    assertThatThrownBy(() -> KubernetesNames.deployment("name", name))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageStartingWith("name ")
        .hasMessageContaining("DNS-1123 subdomain");
  }

  @Test
  void aSubdomainIsAtMost253Characters() {
    String longest = (LABEL_63 + ".").repeat(3) + "a".repeat(61);
    assertThat(longest).hasSize(253);
    assertThat(KubernetesNames.isDns1123Subdomain(longest)).isTrue();
    assertThat(KubernetesNames.isDns1123Subdomain(longest + "a")).isFalse();
    assertThat(KubernetesNames.isDns1123Subdomain("a".repeat(64))).as("a part of 64").isTrue();
  }

  @Test
  void serviceNamesAreDns1035LabelsThatStartWithALetter() {
    assertThat(KubernetesNames.service("service", "db")).isEqualTo("db");
    assertThatThrownBy(() -> KubernetesNames.service("service", "1db"))
        .hasMessageStartingWith("service '1db' is not valid")
        .hasMessageContaining("DNS-1035");
    assertThatThrownBy(() -> KubernetesNames.service("service", "db.primary"))
        .isInstanceOf(InvalidNameException.class);
    assertThatThrownBy(() -> KubernetesNames.service("service", "d".repeat(64)))
        .isInstanceOf(InvalidNameException.class);
  }

  @Test
  void containerNamesAreDns1123LabelsAndMayBeOmitted() {
    assertThat(KubernetesNames.container("container", "app")).isEqualTo("app");
    assertThat(KubernetesNames.optionalContainer("container", "")).isEmpty();
    assertThat(KubernetesNames.optionalContainer("container", null)).isNull();
    assertThatThrownBy(() -> KubernetesNames.optionalContainer("container", "app.v2"))
        .hasMessageStartingWith("container ");
    assertThatThrownBy(() -> KubernetesNames.container("container", null))
        .hasMessageStartingWith("container null is not valid");
  }

  @Test
  void labelKeysMayHaveASubdomainPrefix() {
    assertThat(KubernetesNames.isLabelKey("app")).isTrue();
    assertThat(KubernetesNames.isLabelKey("app.kubernetes.io/name")).isTrue();
    assertThat(KubernetesNames.isLabelKey("Tier_1.x")).isTrue();
    assertThat(KubernetesNames.isLabelKey("a/" + LABEL_63)).isTrue();
    assertThat(KubernetesNames.isLabelKey("a/" + LABEL_63 + "a")).isFalse();
    assertThat(KubernetesNames.isLabelKey("a/b/c")).isFalse();
    assertThat(KubernetesNames.isLabelKey("Example.com/x")).as("prefix is lowercase").isFalse();
    assertThat(KubernetesNames.isLabelKey("/x")).isFalse();
    assertThat(KubernetesNames.isLabelKey("x/")).isFalse();
    assertThat(KubernetesNames.isLabelKey("-x")).isFalse();
    assertThat(KubernetesNames.isLabelKey("")).isFalse();
  }

  @Test
  void labelValuesMayBeEmptyButNotLongOrOdd() {
    assertThat(KubernetesNames.isLabelValue("")).isTrue();
    assertThat(KubernetesNames.isLabelValue("v1.2_rc-3")).isTrue();
    assertThat(KubernetesNames.isLabelValue(LABEL_63)).isTrue();
    assertThat(KubernetesNames.isLabelValue(LABEL_63 + "a")).isFalse();
    assertThat(KubernetesNames.isLabelValue("a/b")).isFalse();
    assertThat(KubernetesNames.isLabelValue("a b")).isFalse();
    assertThat(KubernetesNames.isLabelValue("x-")).isFalse();
    assertThat(KubernetesNames.isLabelValue(null)).isFalse();
  }

  @Test
  void parsesEqualitySetAndExistenceSelectorsIntoOneSpelling() {
    assertThat(KubernetesNames.labelSelector("s", "app=web")).isEqualTo("app=web");
    assertThat(KubernetesNames.labelSelector("s", " app == web ,tier!=cache"))
        .isEqualTo("app=web,tier!=cache");
    assertThat(KubernetesNames.labelSelector("s", "env in (prod, staging),!canary,track"))
        .isEqualTo("env in (prod,staging),!canary,track");
    assertThat(KubernetesNames.labelSelector("s", "env notin(dev)")).isEqualTo("env notin (dev)");
    assertThat(KubernetesNames.labelSelector("s", "app.kubernetes.io/name=web,version="))
        .isEqualTo("app.kubernetes.io/name=web,version=");
    assertThat(KubernetesNames.labelSelector("s", null)).isEmpty();
    assertThat(KubernetesNames.labelSelector("s", "  ")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "app=web/x",
        "app=../../prod",
        "app=%2F",
        "app=web\r\nX: y",
        "app=\u001b[31m",
        "app=web,,tier=db",
        "app=web,",
        ",app=web",
        "app in (web",
        "app in ()",
        "app in web",
        "app=(web)",
        "app web",
        "app>3",
        "app<3",
        "!",
        "!app=web",
        "=web",
        "app=web=x"
      })
  void refusesWhatIsNotALegalSelector(String selector) {
    assertThatThrownBy(() -> KubernetesNames.labelSelector("labelSelector", selector))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageStartingWith("labelSelector ");
  }

  @Test
  void refusesASelectorKeyOrValueAbove63OrASelectorAboveTheBound() {
    assertThatThrownBy(() -> KubernetesNames.labelSelector("s", "app=" + LABEL_63 + "a"))
        .hasMessageContaining("label values");
    assertThatThrownBy(() -> KubernetesNames.labelSelector("s", LABEL_63 + "a=web"))
        .hasMessageContaining("label keys");
    String many = "app=web,".repeat(300) + "app=web";
    assertThatThrownBy(() -> KubernetesNames.labelSelector("s", many))
        .hasMessageContaining("at most " + KubernetesNames.MAX_SELECTOR);
  }
}
