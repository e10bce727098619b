# Flux worker image: the flux command on a Java 17 JRE. Not built in CI (no Docker engine there);
# build it with:  docker build -t flux .
# Run a task from an application jar mounted at /app:
#   docker run --rm -v $PWD/app.jar:/app/app.jar -e FLUX_KAFKA_BROKERS=kafka:9092 \
#     flux process --load /app/app.jar --stages 0 com.acme.AwesomeTask
# or derive an image that copies the jar:  FROM flux  /  COPY app.jar /app/app.jar
# docker stop sends SIGTERM: flux commits and exits 0 (give it --stop-timeout above flux.shutdown-timeout).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q package -DskipTests -pl flux-cli -am

FROM eclipse-temurin:17-jre
RUN useradd --system --home-dir /app --shell /usr/sbin/nologin flux && mkdir -p /app && chown flux /app
COPY --from=build /src/flux-cli/target/flux.jar /opt/flux/flux.jar
USER flux
# flux process serves /metrics, /health/live and /health/ready here (flux.http.port).
EXPOSE 9400
WORKDIR /app
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/flux/flux.jar"]
CMD ["--help"]
