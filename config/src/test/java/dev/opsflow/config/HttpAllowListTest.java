package dev.opsflow.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HttpAllowListTest {
  private static final HttpAllowList ALLOW =
      HttpAllowList.of(
          List.of(
              "https://status.example.com",
              "http://cache.demo.svc:8080/admin/flush",
              "https://*.internal.example"));

  @Test
  void unsetAllowsEveryUrl() {
    assertThat(HttpAllowList.ANY.allowsAll()).isTrue();
    assertThat(HttpAllowList.ANY.refusal("http://anything.example/?token=x")).isEmpty();
    assertThat(HttpAllowList.of(List.of("", " ")).allowsAll()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://status.example.com",
        "https://STATUS.example.com/health?verbose=1",
        "https://status.example.com:443/x",
        "http://cache.demo.svc:8080/admin/flush",
        "http://cache.demo.svc:8080/admin/flush/all",
        "https://api.internal.example/v1",
        "https://a.b.internal.example:443/",
        "https://user:secret@status.example.com/health",
      })
  void aUrlUnderAnEntryIsAllowed(String url) {
    assertThat(ALLOW.refusal(url)).as(url).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "https://evil.example/?token=s3cret|host evil.example (https) is not in runbooks.httpAllow",
        "http://status.example.com/health|host status.example.com (http) is not in",
        "https://status.example.com:8443/health|host status.example.com:8443 (https) is not in",
        "https://status.example.com.evil.example/|host status.example.com.evil.example (https)",
        "https://status.example.com@evil.example/|host evil.example (https)",
        "http://cache.demo.svc:8080/admin/flushall|host cache.demo.svc:8080 (http) is not in",
        "http://cache.demo.svc:8080/admin|host cache.demo.svc:8080 (http) is not in",
        "http://cache.demo.svc:8080/admin/flush/../drop|host cache.demo.svc:8080: a path with a . or .. segment is never allowed",
        "http://cache.demo.svc:8080/admin/flush/%2e%2e/drop|host cache.demo.svc:8080: a path with a . or .. segment",
        "https://internal.example/|host internal.example (https) is not in",
        "file:///etc/passwd|the URL has no host",
        "not a url|the URL cannot be parsed",
      })
  void aUrlOutsideEveryEntryIsRefusedNamingOnlyItsHost(String url, String reason) {
    assertThat(ALLOW.refusal(url))
        .as(url)
        .hasValueSatisfying(r -> assertThat(r).startsWith(reason));
    String shown = ALLOW.refusal(url).orElseThrow();
    assertThat(shown).doesNotContain("s3cret").doesNotContain("token").doesNotContain("drop");
  }

  @Test
  void theRefusalListsTheEntries() {
    assertThat(ALLOW.refusal("https://evil.example/"))
        .hasValue(
            "host evil.example (https) is not in runbooks.httpAllow; allowed:"
                + " https://status.example.com, http://cache.demo.svc:8080/admin/flush,"
                + " https://*.internal.example");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "status.example.com|entry 1 'status.example.com': give scheme://host[:port][/path] with http or https",
        "ftp://files.example|entry 1 'ftp://files.example': give scheme://host",
        "https://user:pw@status.example.com|entry 1 'https://user:pw@status.example.com': a prefix has no credentials, query or fragment",
        "https://status.example.com/?a=b|entry 1 'https://status.example.com/?a=b': a prefix has no credentials",
        "https://status.example.com/a/../b|entry 1 'https://status.example.com/a/../b': a prefix's path has no . or .. segment",
        "https://|entry 1 'https://' is not a URL prefix",
      })
  void aBadEntryIsRefusedNamingIt(String entry, String message) {
    assertThatThrownBy(() -> HttpAllowList.of(List.of(entry))).hasMessageStartingWith(message);
  }
}
