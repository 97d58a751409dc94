package dev.opsflow.activities.kubernetes;

import dev.opsflow.activities.InvalidNameException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a Kubernetes name may be, checked before the name goes into a request: the client builds URL
 * paths from names, so {@code ../../prod/deployments/x} as a Deployment name would otherwise read
 * another namespace. The rules are the API server's own (apimachinery's validation): namespaces and
 * container names are DNS-1123 labels, Deployments and ConfigMaps DNS-1123 subdomains, Services
 * DNS-1035 labels, label selectors parsed into keys and values that are each legal. Each check
 * returns the value it accepted and throws {@link InvalidNameException} naming the field otherwise.
 * JDK only, so the same checks can run at the door (REST, CLI) and in the activity.
 */
public final class KubernetesNames {
  /** Longest DNS-1123 / DNS-1035 label (and label name or value). */
  public static final int MAX_LABEL = 63;

  /** Longest DNS-1123 subdomain. */
  public static final int MAX_SUBDOMAIN = 253;

  /** Longest label selector opsflow sends; far above any real one, low enough to bound a URL. */
  public static final int MAX_SELECTOR = 2048;

  private static final String LABEL_PART = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final Pattern DNS1123_LABEL = Pattern.compile(LABEL_PART);
  private static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile(LABEL_PART + "(\\." + LABEL_PART + ")*");
  private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern QUALIFIED_NAME =
      Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");

  private static final String LABEL_RULE =
      "must be a DNS-1123 label: 1-63 characters, lowercase letters, digits and '-', starting and"
          + " ending with a letter or digit";
  private static final String SUBDOMAIN_RULE =
      "must be a DNS-1123 subdomain: 1-253 characters, lowercase letters, digits, '-' and '.',"
          + " each dot-separated part starting and ending with a letter or digit";
  private static final String DNS1035_RULE =
      "must be a DNS-1035 label: 1-63 characters, lowercase letters, digits and '-', starting with"
          + " a letter and ending with a letter or digit";

  private KubernetesNames() {}

  public static boolean isDns1123Label(String value) {
    return value != null && value.length() <= MAX_LABEL && DNS1123_LABEL.matcher(value).matches();
  }

  public static boolean isDns1123Subdomain(String value) {
    return value != null
        && value.length() <= MAX_SUBDOMAIN
        && DNS1123_SUBDOMAIN.matcher(value).matches();
  }

  public static boolean isDns1035Label(String value) {
    return value != null && value.length() <= MAX_LABEL && DNS1035_LABEL.matcher(value).matches();
  }

  /** A namespace: a DNS-1123 label. */
  public static String namespace(String field, String value) {
    return require(isDns1123Label(value), field, value, LABEL_RULE);
  }

  /** A Deployment (or ReplicaSet, StatefulSet) name: a DNS-1123 subdomain. */
  public static String deployment(String field, String value) {
    return require(isDns1123Subdomain(value), field, value, SUBDOMAIN_RULE);
  }

  /** A ConfigMap name: a DNS-1123 subdomain. */
  public static String configMap(String field, String value) {
    return require(isDns1123Subdomain(value), field, value, SUBDOMAIN_RULE);
  }

  /** A Pod name: a DNS-1123 subdomain. */
  public static String pod(String field, String value) {
    return require(isDns1123Subdomain(value), field, value, SUBDOMAIN_RULE);
  }

  /** A Gateway API object's name (an HTTPRoute): a DNS-1123 subdomain, like any object name. */
  public static String route(String field, String value) {
    return require(isDns1123Subdomain(value), field, value, SUBDOMAIN_RULE);
  }

  /** A Service name: a DNS-1035 label (it becomes a DNS name and environment variable prefix). */
  public static String service(String field, String value) {
    return require(isDns1035Label(value), field, value, DNS1035_RULE);
  }

  /** A container name: a DNS-1123 label. */
  public static String container(String field, String value) {
    return require(isDns1123Label(value), field, value, LABEL_RULE);
  }

  /** A container name, or null/empty for "the first container". */
  public static String optionalContainer(String field, String value) {
    return value == null || value.isEmpty() ? value : container(field, value);
  }

  /**
   * A label key: an optional DNS-1123 subdomain prefix and '/', then a name of 1-63 letters,
   * digits, '-', '_' and '.', starting and ending with a letter or digit.
   */
  public static boolean isLabelKey(String key) {
    if (key == null) {
      return false;
    }
    int slash = key.indexOf('/');
    String name = slash < 0 ? key : key.substring(slash + 1);
    if (slash >= 0 && !isDns1123Subdomain(key.substring(0, slash))) {
      return false;
    }
    return name.length() <= MAX_LABEL && QUALIFIED_NAME.matcher(name).matches();
  }

  /** A label value: empty, or 1-63 letters, digits, '-', '_' and '.' starting and ending alnum. */
  public static boolean isLabelValue(String value) {
    return value != null
        && (value.isEmpty()
            || value.length() <= MAX_LABEL && QUALIFIED_NAME.matcher(value).matches());
  }

  /**
   * A label selector in the API's syntax ({@code app=web,tier!=cache,env in
   * (prod,staging),!canary}, also {@code ==}, {@code notin} and bare keys), parsed into
   * requirements whose keys and values are each legal, and given back in one canonical spelling:
   * what is sent is what was checked. Null or blank selects everything and is given back as "". The
   * {@code <} and {@code >} operators are refused (they only make sense for node affinity).
   */
  public static String labelSelector(String field, String value) {
    if (value == null || value.isBlank()) {
      return "";
    }
    if (value.length() > MAX_SELECTOR) {
      throw new InvalidNameException(
          field, value, "a label selector of at most " + MAX_SELECTOR + " characters");
    }
    return new SelectorParser(field, value)
        .parse().stream().map(Requirement::toString).reduce((a, b) -> a + "," + b).orElse("");
  }

  private static String require(boolean ok, String field, String value, String rule) {
    if (!ok) {
      throw new InvalidNameException(field, value, rule);
    }
    return value;
  }

  /** One parsed requirement of a label selector. */
  private record Requirement(String key, String operator, List<String> values) {
    @Override
    public String toString() {
      return switch (operator) {
        case "exists" -> key;
        case "!" -> "!" + key;
        case "=", "!=" -> key + operator + values.get(0);
        default -> key + " " + operator + " (" + String.join(",", values) + ")";
      };
    }
  }

  /** apimachinery's selector grammar: a lexer over identifiers and operator symbols. */
  private static final class SelectorParser {
    private static final String SELECTOR_RULE =
        "must be a label selector such as app=web,tier!=cache,env in (prod,staging),!canary";
    private static final String KEY_RULE =
        "label keys are an optional DNS subdomain and '/', then 1-63 letters, digits, '-', '_' or"
            + " '.', starting and ending with a letter or digit";
    private static final String VALUE_RULE =
        "label values are empty or 1-63 letters, digits, '-', '_' or '.', starting and ending with"
            + " a letter or digit";

    private final String field;
    private final String text;
    private final List<String> tokens = new ArrayList<>();
    private int next;

    SelectorParser(String field, String text) {
      this.field = field;
      this.text = text;
      lex();
    }

    private void lex() {
      int i = 0;
      while (i < text.length()) {
        char c = text.charAt(i);
        if (c == ' ' || c == '\t') {
          i++;
        } else if (c == '=' || c == '!') {
          boolean pair = i + 1 < text.length() && text.charAt(i + 1) == '=';
          tokens.add(pair ? c + "=" : String.valueOf(c));
          i += pair ? 2 : 1;
        } else if ("(),<>".indexOf(c) >= 0) {
          tokens.add(String.valueOf(c));
          i++;
        } else {
          int start = i;
          while (i < text.length() && " \t=!(),<>".indexOf(text.charAt(i)) < 0) {
            i++;
          }
          tokens.add(text.substring(start, i));
        }
      }
    }

    List<Requirement> parse() {
      List<Requirement> requirements = new ArrayList<>();
      while (true) {
        requirements.add(requirement());
        if (next == tokens.size()) {
          return requirements;
        }
        expect(",");
      }
    }

    private Requirement requirement() {
      if (",".equals(peek()) || peek() == null) {
        throw refused(SELECTOR_RULE + " (empty requirement)");
      }
      if ("!".equals(peek())) {
        next++;
        return new Requirement(key(), "!", List.of());
      }
      String key = key();
      String op = peek();
      if (op == null || ",".equals(op)) {
        return new Requirement(key, "exists", List.of());
      }
      next++;
      switch (op) {
        case "=", "==", "!=" -> {
          String value = peek() == null || ",".equals(peek()) ? "" : tokens.get(next++);
          return new Requirement(key, "!=".equals(op) ? "!=" : "=", List.of(value(value)));
        }
        case "in", "notin" -> {
          expect("(");
          List<String> values = new ArrayList<>();
          if (")".equals(peek())) {
            throw refused(SELECTOR_RULE + " ('" + op + "' needs at least one value)");
          }
          while (true) {
            String t = peek();
            values.add(
                value(t == null || ",".equals(t) || ")".equals(t) ? "" : tokens.get(next++)));
            if (")".equals(peek())) {
              next++;
              return new Requirement(key, op, List.copyOf(values));
            }
            expect(",");
          }
        }
        case "<", ">" ->
            throw refused("the '" + op + "' operator is not accepted in a pod label selector");
        default -> throw refused(SELECTOR_RULE + " (unexpected " + op + " after " + key + ")");
      }
    }

    private String key() {
      String t = peek();
      if (t == null || isSymbol(t) || !isLabelKey(t)) {
        throw refused(KEY_RULE);
      }
      next++;
      return t;
    }

    private String value(String v) {
      if (isSymbol(v) || !isLabelValue(v)) {
        throw refused(VALUE_RULE);
      }
      return v;
    }

    private void expect(String symbol) {
      if (!symbol.equals(peek())) {
        throw refused(SELECTOR_RULE + " (expected '" + symbol + "')");
      }
      next++;
    }

    private String peek() {
      return next < tokens.size() ? tokens.get(next) : null;
    }

    private static boolean isSymbol(String t) {
      return List.of("=", "==", "!=", "!", "(", ")", ",", "<", ">").contains(t);
    }

    private InvalidNameException refused(String rule) {
      return new InvalidNameException(field, text, rule);
    }
  }
}
