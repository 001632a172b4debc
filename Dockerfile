# Build:  docker build -t thidua .
# Run:    docker run -d -e TELOXIDE_TOKEN=... -v thidua-data:/data thidua
# Demo:   docker run --rm thidua demo        (no token needed)
# PostgreSQL build (replicas, compose.yaml): --build-arg FEATURES=postgres

# ---- builder ---------------------------------------------------------------
FROM rust:1.95-slim-bookworm AS builder
WORKDIR /build
# Cargo features beyond the defaults: "postgres" builds the bot for
# PostgreSQL instead of SQLite (one backend per build; see README, Storage).
ARG FEATURES=""

# Dependencies first, against a dummy crate, so that editing src/ does not
# rebuild the whole dependency tree. (SQLite is bundled and compiled with the
# image's gcc; rustls needs no OpenSSL.)
COPY Cargo.toml Cargo.lock build.rs ./
# The workspace's other member: the fake Bot API behind `thidua demo` (the
# default `demo` feature). Small and rarely edited, so it is built here too.
COPY crates ./crates
# Cargo.toml names the e2e test and the benchmarks by file, and cargo refuses a
# manifest whose targets are missing: empty stand-ins (never built by `cargo
# build`) keep tests/ and benches/ out of the image and out of this layer's key.
RUN mkdir -p src benches/perf tests/e2e \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs benches/fanout.rs benches/perf/main.rs tests/e2e/main.rs \
    && cargo build --release --locked --features "$FEATURES" \
    && rm -rf src

# The real build. migrations/ must be present: sqlx::migrate! embeds it at
# compile time. COPY keeps the sources' old mtimes, which can be older than the
# dummy artifacts above, so touch the crate roots to force cargo to rebuild them.
COPY migrations ./migrations
COPY src ./src
COPY assets ./assets
RUN touch src/lib.rs src/main.rs \
    && cargo build --release --locked --features "$FEATURES"

# ---- runtime ---------------------------------------------------------------
FROM debian:bookworm-slim

# ca-certificates only (HTTPS to the Bot API). Not pinned: bookworm's security
# updates replace old versions in the archive, so a pin would break the build.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group \
        --home-dir /data --no-create-home --shell /usr/sbin/nologin thidua \
    && mkdir -p /data \
    && chown thidua:thidua /data

COPY --from=builder /build/target/release/thidua /usr/local/bin/thidua

# The SQLite database (plus its -wal/-shm files) lives on the volume.
# Configuration comes from the environment at run time: TELOXIDE_TOKEN
# (required for `run`; never bake it into the image), TELOXIDE_API_URL,
# THIDUA_TZ, RUST_LOG, THIDUA_WEBHOOK_URL (webhook mode instead of long
# polling), and DATABASE_URL and THIDUA_LISTEN (defaults below).
ENV DATABASE_URL=sqlite:///data/thidua.db
# The HTTP server (/healthz, /metrics, the webhook), reachable from outside
# the container; publish it only where Prometheus or the proxy needs it.
ENV THIDUA_LISTEN=0.0.0.0:8080
EXPOSE 8080
# glibc gives each thread that allocates its own heap arena (up to 8 per
# core) and keeps each one's high-water mark: 2 arenas keep the bot under
# load on a 5,000-bloc database at 38 MB instead of 50 MB, for ~5% of CPU
# (benches/perf; see README, Performance).
ENV MALLOC_ARENA_MAX=2
WORKDIR /data
VOLUME /data
# Numeric, so runtimes (e.g. Kubernetes runAsNonRoot) can verify it is not root.
USER 10001:10001

# Healthy = the database opens, its migrations are current and getMe accepts the token.
HEALTHCHECK --interval=60s --timeout=10s --start-period=20s CMD ["/usr/local/bin/thidua", "check"]

ENTRYPOINT ["/usr/local/bin/thidua"]
CMD ["run"]
