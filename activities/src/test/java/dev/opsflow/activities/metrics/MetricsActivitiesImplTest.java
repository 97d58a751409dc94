package dev.opsflow.activities.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.opsflow.activities.FailureTypes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a local HTTP server that answers in the Prometheus HTTP API's wire format. */
class MetricsActivitiesImplTest {
  private static final String VECTOR =
      """
      {"status":"success","data":{"resultType":"vector","result":[
        {"metric":{"__name__":"kafka_consumergroup_lag","group":"billing","topic":"orders"},
         "value":[1714000000.123,"19000"]},
        {"metric":{"group":"billing","topic":"refunds"},"value":[1714000000.123,"NaN"]},
        {"metric":{"group":"billing","topic":"audit"},"value":[1714000000.123,"+Inf"]},
        {"metric":{"group":"billing","topic":"dlq"},"value":[1714000000.123,"-Inf"]}]}}
      """;
  private static final String EMPTY_VECTOR =
      """
      {"status":"success","data":{"resultType":"vector","result":[]}}
      """;
  private static final String MATRIX =
      """
      {"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{"group":"billing"},"values":[[1714000000,"100"],[1714000060,"250.5"],[1714000120,"NaN"]]},
        {"metric":{"group":"audit"},"values":[[1714000060,"3"]]}]}}
      """;
  private static final String BAD_DATA =
      """
      {"status":"error","errorType":"bad_data","error":"invalid parameter \\"query\\": 1:5: parse error: unexpected end of input"}
      """;

  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private volatile String body = EMPTY_VECTOR;
  private volatile long delayMillis;
  private Javalin prometheus;
  private MetricsActivitiesImpl metrics;

  private record Recorded(String method, String path, Map<String, List<String>> params) {}

  @BeforeEach
  void startPrometheus() {
    prometheus =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  cfg.routes.get("/api/v1/query", this::answer);
                  cfg.routes.post("/api/v1/query", this::answer);
                  cfg.routes.get("/api/v1/query_range", this::answer);
                  cfg.routes.post("/api/v1/query_range", this::answer);
                })
            .start("127.0.0.1", 0);
    metrics = against("http://127.0.0.1:" + prometheus.port(), Duration.ofSeconds(5));
  }

  @AfterEach
  void stopPrometheus() {
    prometheus.stop();
  }

  private void answer(Context ctx) throws InterruptedException {
    Map<String, List<String>> params =
        ctx.method().name().equals("GET") ? ctx.queryParamMap() : ctx.formParamMap();
    requests.add(new Recorded(ctx.method().name(), ctx.path(), params));
    if (delayMillis > 0) {
      Thread.sleep(delayMillis);
    }
    ctx.status(status).contentType("application/json").result(body);
  }

  private static MetricsActivitiesImpl against(String url, Duration timeout) {
    return new MetricsActivitiesImpl(
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build(), url, timeout);
  }

  @Test
  void vectorBecomesOneSamplePerSeriesWithLabelsValueAndTimestamp() {
    body = VECTOR;

    InstantQueryResult result =
        metrics.instantQuery(
            new InstantQuery("kafka_consumergroup_lag{group=\"billing\"}", 1714000000L));

    assertThat(result.outcome()).isEqualTo(QueryOutcome.VALUE);
    assertThat(result.samples()).hasSize(4);
    MetricSample orders = result.samples().get(0);
    assertThat(orders.labels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("__name__", "kafka_consumergroup_lag", "group", "billing", "topic", "orders"));
    assertThat(orders.value()).isEqualTo(19000.0);
    assertThat(orders.timestampEpochSeconds()).isEqualTo(1714000000.123);
    assertThat(requests).hasSize(1);
    Recorded request = requests.get(0);
    assertThat(request.method()).isEqualTo("GET");
    assertThat(request.path()).isEqualTo("/api/v1/query");
    assertThat(request.params())
        .containsEntry("query", List.of("kafka_consumergroup_lag{group=\"billing\"}"))
        .containsEntry("time", List.of("1714000000"));
  }

  @Test
  void nanAndInfinitiesArriveAsDoubleSpecialValues() {
    body = VECTOR;

    List<MetricSample> samples = metrics.instantQuery(InstantQuery.now("lag")).samples();

    assertThat(samples.get(1).value()).isNaN();
    assertThat(samples.get(2).value()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(samples.get(3).value()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(requests.get(0).params()).doesNotContainKey("time");
  }

  @Test
  void noMatchingSeriesIsTheEmptyOutcomeNotAZero() {
    body = EMPTY_VECTOR;

    InstantQueryResult result = metrics.instantQuery(InstantQuery.now("absent_metric"));

    assertThat(result.outcome()).isEqualTo(QueryOutcome.EMPTY);
    assertThat(result.samples()).isEmpty();
  }

  @Test
  void scalarResultIsOneSampleWithoutLabels() {
    body =
        """
        {"status":"success","data":{"resultType":"scalar","result":[1714000000,"42"]}}
        """;

    InstantQueryResult result = metrics.instantQuery(InstantQuery.now("scalar(up)"));

    assertThat(result.outcome()).isEqualTo(QueryOutcome.VALUE);
    assertThat(result.samples()).containsExactly(new MetricSample(Map.of(), 42.0, 1714000000.0));
  }

  @Test
  void rangeVectorFromAnInstantQueryIsInvalidInput() {
    body = MATRIX;

    assertFailure(
        () -> metrics.instantQuery(InstantQuery.now("lag[5m]")), FailureTypes.INVALID_INPUT, true);
  }

  @Test
  void longQueriesArePostedAsAForm() {
    String longQuery = "sum(" + "lag + ".repeat(500) + "lag)";

    metrics.instantQuery(InstantQuery.now(longQuery));

    assertThat(requests).hasSize(1);
    assertThat(requests.get(0).method()).isEqualTo("POST");
    assertThat(requests.get(0).params()).containsEntry("query", List.of(longQuery));
  }

  @Test
  void rangeQuerySendsStartEndStepAndReturnsSeriesOfPoints() {
    body = MATRIX;

    RangeQueryResult result =
        metrics.rangeQuery(new RangeQuery("lag", 1714000000L, 1714003600L, 60));

    assertThat(result.outcome()).isEqualTo(QueryOutcome.VALUE);
    assertThat(result.series()).hasSize(2);
    MetricSeries billing = result.series().get(0);
    assertThat(billing.labels()).containsExactlyEntriesOf(Map.of("group", "billing"));
    assertThat(billing.points())
        .extracting(MetricPoint::t)
        .containsExactly(1714000000.0, 1714000060.0, 1714000120.0);
    assertThat(billing.points().get(1).v()).isEqualTo(250.5);
    assertThat(billing.points().get(2).v()).isNaN();
    Recorded request = requests.get(0);
    assertThat(request.path()).isEqualTo("/api/v1/query_range");
    assertThat(request.params())
        .containsEntry("query", List.of("lag"))
        .containsEntry("start", List.of("1714000000"))
        .containsEntry("end", List.of("1714003600"))
        .containsEntry("step", List.of("60"));
  }

  @Test
  void emptyRangeIsTheEmptyOutcome() {
    body =
        """
        {"status":"success","data":{"resultType":"matrix","result":[]}}
        """;

    RangeQueryResult result = metrics.rangeQuery(new RangeQuery("absent", 0, 600, 60));

    assertThat(result.outcome()).isEqualTo(QueryOutcome.EMPTY);
    assertThat(result.series()).isEmpty();
  }

  @Test
  void invalidRangesAreRejectedWithoutAskingPrometheus() {
    assertFailure(
        () -> metrics.rangeQuery(new RangeQuery("lag", 0, 600, 0)),
        FailureTypes.INVALID_INPUT,
        true);
    assertFailure(
        () -> metrics.rangeQuery(new RangeQuery("lag", 600, 0, 60)),
        FailureTypes.INVALID_INPUT,
        true);
    assertFailure(
        () -> metrics.rangeQuery(new RangeQuery("lag", 0, 86_400 * 30L, 60)),
        FailureTypes.INVALID_INPUT,
        true);
    assertFailure(
        () -> metrics.rangeQuery(new RangeQuery(" ", 0, 600, 60)),
        FailureTypes.INVALID_INPUT,
        true);
    assertFailure(() -> metrics.instantQuery(null), FailureTypes.INVALID_INPUT, true);
    assertThat(requests).isEmpty();
  }

  @Test
  void badDataIsInvalidInputCarryingPrometheusErrorText() {
    status = 400;
    body = BAD_DATA;

    ApplicationFailure failure =
        assertFailure(
            () -> metrics.instantQuery(InstantQuery.now("sum(")), FailureTypes.INVALID_INPUT, true);

    assertThat(failure.getOriginalMessage())
        .contains("bad_data")
        .contains("parse error: unexpected end of input")
        .contains("sum(");
  }

  @Test
  void refusedCredentialsArePermissionDenied() {
    status = 403;
    body = "<html>Forbidden</html>";
    ApplicationFailure failure =
        assertFailure(
            () -> metrics.instantQuery(InstantQuery.now("up")),
            FailureTypes.PERMISSION_DENIED,
            true);
    assertThat(failure.getOriginalMessage()).contains("HTTP 403").contains("Forbidden");

    status = 401;
    assertFailure(
        () -> metrics.instantQuery(InstantQuery.now("up")), FailureTypes.PERMISSION_DENIED, true);
  }

  @Test
  void wrongBaseUrlIsNotFound() {
    MetricsActivitiesImpl wrongPath =
        against(
            "http://127.0.0.1:" + prometheus.port() + "/no-prometheus-here", Duration.ofSeconds(5));

    assertFailure(
        () -> wrongPath.instantQuery(InstantQuery.now("up")), FailureTypes.NOT_FOUND, true);
  }

  @Test
  void overloadAndExecutionErrorsAreRetryable() {
    status = 503;
    body =
        """
        {"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}
        """;
    ApplicationFailure timeout =
        assertFailure(
            () -> metrics.instantQuery(InstantQuery.now("up")),
            MetricsActivitiesImpl.PROMETHEUS_ERROR,
            false);
    assertThat(timeout.getOriginalMessage()).contains("query timed out");

    status = 422;
    body =
        """
        {"status":"error","errorType":"execution","error":"many-to-many matching not allowed"}
        """;
    assertFailure(
        () -> metrics.rangeQuery(new RangeQuery("a / b", 0, 60, 60)),
        MetricsActivitiesImpl.PROMETHEUS_ERROR,
        false);
  }

  @Test
  void closedPortIsRetryableUnavailable() throws IOException {
    MetricsActivitiesImpl unreachable =
        against("http://127.0.0.1:" + closedPort(), Duration.ofSeconds(5));

    assertFailure(
        () -> unreachable.instantQuery(InstantQuery.now("up")),
        MetricsActivitiesImpl.UNAVAILABLE,
        false);
  }

  @Test
  void slowAnswerIsRetryableUnavailable() {
    delayMillis = 1_500;
    MetricsActivitiesImpl impatient =
        against("http://127.0.0.1:" + prometheus.port(), Duration.ofMillis(300));

    ApplicationFailure failure =
        assertFailure(
            () -> impatient.instantQuery(InstantQuery.now("up")),
            MetricsActivitiesImpl.UNAVAILABLE,
            false);
    assertThat(failure.getOriginalMessage()).contains("did not answer in time");
  }

  @Test
  void throughTemporalSpecialValuesSurviveAndFailuresKeepTheirType() {
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try {
      env.registerActivitiesImplementations(metrics);
      MetricsActivities stub =
          env.newActivityStub(MetricsActivities.class, MetricsOptions.READ_METRICS);

      body = VECTOR;
      List<MetricSample> samples = stub.instantQuery(InstantQuery.now("lag")).samples();
      assertThat(samples.get(0).value()).isEqualTo(19000.0);
      assertThat(samples.get(1).value()).isNaN();
      assertThat(samples.get(2).value()).isEqualTo(Double.POSITIVE_INFINITY);

      status = 400;
      body = BAD_DATA;
      ActivityFailure failure =
          catchThrowableOfType(
              ActivityFailure.class, () -> stub.instantQuery(InstantQuery.now("sum(")));
      assertThat(failure.getCause()).isInstanceOf(ApplicationFailure.class);
      ApplicationFailure cause = (ApplicationFailure) failure.getCause();
      assertThat(cause.getType()).isEqualTo(FailureTypes.INVALID_INPUT);
      assertThat(cause.isNonRetryable()).isTrue();
      assertThat(requests).hasSize(2);
    } finally {
      env.close();
    }
  }

  @Test
  void readOptionsRetryButNeverRetryFinalFailures() {
    assertThat(MetricsOptions.READ_METRICS.getRetryOptions().getDoNotRetry())
        .containsExactlyInAnyOrderElementsOf(FailureTypes.NON_RETRYABLE);
    assertThat(MetricsOptions.READ_METRICS.getRetryOptions().getMaximumAttempts()).isGreaterThan(3);
    assertThat(MetricsOptions.READ_METRICS.getStartToCloseTimeout())
        .isGreaterThan(MetricsActivitiesImpl.DEFAULT_REQUEST_TIMEOUT);
  }

  private static ApplicationFailure assertFailure(
      Runnable call, String type, boolean nonRetryable) {
    ApplicationFailure failure = catchThrowableOfType(ApplicationFailure.class, call::run);
    assertThat(failure).as("expected an ApplicationFailure of type " + type).isNotNull();
    assertThat(failure.getType()).isEqualTo(type);
    assertThat(failure.isNonRetryable()).isEqualTo(nonRetryable);
    return failure;
  }

  static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
