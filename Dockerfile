# syntax=docker/dockerfile:1
# Build: the same command as the README (`cargo build --release`).
FROM rust:1-bookworm AS build
WORKDIR /src
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsqlite3-dev libpq-dev libssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY benches ./benches
RUN cargo build --release --locked --bin sigil

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsqlite3-0 libpq5 libssl3 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin sigil \
 && mkdir -p /data && chown sigil:sigil /data
COPY --from=build /src/target/release/sigil /usr/local/bin/sigil
COPY --from=build /src/static /usr/share/sigil/static
USER sigil
WORKDIR /data
VOLUME ["/data"]
ENV SIGIL_BIND=0.0.0.0:8080 \
    SIGIL_DATABASE_URL=sqlite:///data/sigil.db
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["sigil"]
CMD ["serve"]
