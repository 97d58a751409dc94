# syntax=docker/dockerfile:1
# The opsflow image for the worker fleet and the starter: the production artifacts the starter
# module builds (starter/target/opsflow.jar + its runtime classpath in starter/target/lib/), on a
# JRE, as a non-root user. One image, two commands: `worker` and `starter` (see docker-compose.yml
# and helm/opsflow). Build: docker build -t opsflow:0.1.0 .

# --- build: the same Maven command as ./opsflow, tests left to CI ---------------------------------
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests -Dspotless.check.skip=true package -pl starter -am

# --- runtime: JRE only, no build tools, no shell access needed ------------------------------------
FROM eclipse-temurin:17.0.15_6-jre
# A fixed numeric uid/gid, so Kubernetes' runAsNonRoot can verify it (the chart runs as 10001).
RUN groupadd --system --gid 10001 opsflow \
 && useradd --system --uid 10001 --gid opsflow --home-dir /opt/opsflow --no-create-home opsflow
WORKDIR /opt/opsflow
# The jar's manifest puts lib/*.jar on its classpath, so the two must sit side by side.
COPY --from=build /src/starter/target/lib/ /opt/opsflow/lib/
COPY --from=build /src/starter/target/opsflow.jar /opt/opsflow/opsflow.jar
# The shipped runbooks, where runbooks.dir (default: runbooks) finds them.
COPY --from=build /src/runbooks/ /opt/opsflow/runbooks/
USER 10001:10001
# 8080: the starter's HTTP server (http.port); 9464: a worker's /metrics and /healthz (metrics.port).
EXPOSE 8080 9464
# The heap follows the container's memory limit; an OutOfMemoryError ends the process so it restarts.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/opsflow/opsflow.jar"]
CMD ["--help"]
