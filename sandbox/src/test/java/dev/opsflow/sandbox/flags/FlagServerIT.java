package dev.opsflow.sandbox.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The flag service speaks opsflow's flag protocol and answers only its token's bearer. */
class FlagServerIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static int call(FlagServer flags, String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(flags.url() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void setsReadsAndKeepsEveryWriteOfAFlag() throws Exception {
    try (FlagServer flags = FlagServer.start("s3cret").define("f", 0)) {
      assertThat(call(flags, "PUT", "/flags/f", "s3cret", "{\"percentage\":10}")).isEqualTo(204);
      assertThat(call(flags, "PUT", "/flags/f", "s3cret", "{\"percentage\":50}")).isEqualTo(204);

      assertThat(flags.percentage("f")).isEqualTo(50);
      assertThat(flags.writes("f")).containsExactly(10, 50);
      assertThat(flags.reader("f").getAsInt()).isEqualTo(50);
    }
  }

  @Test
  void refusesAMissingOrWrongTokenAnUnknownFlagAndABadPercentage() throws Exception {
    try (FlagServer flags = FlagServer.start("s3cret").define("f", 0)) {
      assertThat(call(flags, "GET", "/flags/f", null, null)).isEqualTo(401);
      assertThat(call(flags, "PUT", "/flags/f", "guess", "{\"percentage\":10}")).isEqualTo(403);
      assertThat(call(flags, "GET", "/flags/nope", "s3cret", null)).isEqualTo(404);
      assertThat(call(flags, "PUT", "/flags/f", "s3cret", "{\"percentage\":101}")).isEqualTo(400);
      assertThat(flags.writes("f")).isEmpty();
      assertThat(flags.percentage("f")).isZero();
    }
  }
}
