package dev.opsflow.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a runbook's HTTP steps ({@code http.call}, {@code http.probe}) may go ({@code
 * runbooks.httpAllow}): a list of URL prefixes, each {@code scheme://host[:port][/path]}, where the
 * host may start with {@code *.} for any host under that domain. A URL is allowed when some entry
 * has its scheme, its host, its port (the scheme's default when neither gives one) and, when the
 * entry has a path, a path at or under it (whole segments: {@code /v1} allows {@code /v1/flush},
 * not {@code /v1beta}). Matching is on the parsed URL, never on its text, so {@code
 * https://ok.example@evil.example} or {@code https://ok.example.evil.example} do not pass as {@code
 * https://ok.example}; a path with a {@code ..} segment never passes. Empty: every URL.
 *
 * <p>A refusal names the URL's host and port, never its path, query string or credentials.
 */
public final class HttpAllowList {
  /** Every URL allowed (the setting unset). */
  public static final HttpAllowList ANY = new HttpAllowList(List.of());

  private record Entry(
      String text, String scheme, String host, boolean subdomains, int port, String path) {}

  private final List<Entry> entries;

  private HttpAllowList(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * The list from its entries; blanks are skipped.
   *
   * @throws IllegalArgumentException naming the entry (by position) that is not such a prefix
   */
  public static HttpAllowList of(List<String> prefixes) {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < prefixes.size(); i++) {
      String text = prefixes.get(i).strip();
      if (text.isEmpty()) {
        continue;
      }
      String where = "entry " + (i + 1) + " '" + text + "'";
      boolean subdomains = false;
      String parsable = text;
      int hostAt = text.indexOf("://");
      if (hostAt > 0 && text.startsWith("*.", hostAt + 3)) {
        subdomains = true;
        parsable = text.substring(0, hostAt + 3) + text.substring(hostAt + 5);
      }
      URI uri;
      try {
        uri = new URI(parsable);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(where + " is not a URL prefix: " + e.getReason());
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new IllegalArgumentException(
            where
                + ": give scheme://host[:port][/path] with http or https, e.g. https://status.example.com");
      }
      if (uri.getHost() == null) {
        throw new IllegalArgumentException(where + ": has no host");
      }
      if (uri.getRawUserInfo() != null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null) {
        throw new IllegalArgumentException(
            where + ": a prefix has no credentials, query or fragment");
      }
      String path = uri.getPath() == null ? "" : uri.getPath();
      if (path.equals("/")) {
        path = "";
      }
      if (hasDotSegment(path)) {
        throw new IllegalArgumentException(where + ": a prefix's path has no . or .. segment");
      }
      entries.add(
          new Entry(
              text,
              scheme,
              uri.getHost().toLowerCase(Locale.ROOT),
              subdomains,
              port(scheme, uri.getPort()),
              path));
    }
    return new HttpAllowList(entries);
  }

  /** Whether the setting is unset (every URL allowed). */
  public boolean allowsAll() {
    return entries.isEmpty();
  }

  /** The entries as configured. */
  public List<String> entries() {
    return entries.stream().map(Entry::text).toList();
  }

  /**
   * Why {@code url} may not be asked, or empty when it may. The reason names the host and port
   * only.
   */
  public Optional<String> refusal(String url) {
    if (entries.isEmpty()) {
      return Optional.empty();
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException | NullPointerException e) {
      return Optional.of(
          "the URL cannot be parsed, so it cannot be checked against runbooks.httpAllow");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null) {
      return Optional.of("the URL has no host, so it cannot be checked against runbooks.httpAllow");
    }
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    int port = port(scheme, uri.getPort());
    String path = uri.getPath() == null ? "" : uri.getPath();
    String where = "host " + host + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    if (hasDotSegment(path)) {
      return Optional.of(where + ": a path with a . or .. segment is never allowed");
    }
    for (Entry e : entries) {
      boolean hostMatches = e.subdomains() ? host.endsWith("." + e.host()) : host.equals(e.host());
      if (e.scheme().equals(scheme)
          && hostMatches
          && e.port() == port
          && (e.path().isEmpty()
              || path.equals(e.path())
              || path.startsWith(e.path().endsWith("/") ? e.path() : e.path() + "/"))) {
        return Optional.empty();
      }
    }
    return Optional.of(
        where
            + " ("
            + scheme
            + ") is not in runbooks.httpAllow; allowed: "
            + String.join(", ", entries()));
  }

  private static int port(String scheme, int port) {
    return port >= 0 ? port : scheme.equals("https") ? 443 : 80;
  }

  private static boolean hasDotSegment(String path) {
    for (String segment : path.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HttpAllowList other && other.entries.equals(entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return entries.isEmpty() ? "(every URL)" : String.join(",", entries());
  }
}
