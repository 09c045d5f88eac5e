# Praximous: one `prax` binary (built-in skills and web UI embedded) in an image that holds it,
# the C libraries it links, CA certificates and nothing else: no shell, no package manager.
#
#   docker build -t praximous .                 build from source (needs the base images below)
#   docker compose up -d                        with PostgreSQL: see compose.yaml and the README
#
# Where no base image can be pulled, build the same runtime image from a `prax` built on the
# host (the C libraries it was linked against go in with it):
#   make build && tools/container-rootfs.sh target/release/prax .container/image
#   podman build --format docker --build-arg ROOTFS=rootfs-local -f Dockerfile -t praximous .container/image
# (--format docker keeps the HEALTHCHECK, which the OCI image format has no field for.)
# ROOTFS names the stage the runtime's root filesystem comes from; stages the build does not
# reach are skipped, so that build pulls nothing.

ARG RUST_IMAGE=rust:1.95-bookworm
ARG NODE_IMAGE=node:22-bookworm-slim
# Its default is repeated as ${ROOTFS:-rootfs-build} below: podman 4.3 decides which stages to
# build from the --build-arg values alone, and without it would skip rootfs-build.
ARG ROOTFS=rootfs-build

# Node for the web UI's build (Vite needs Node 20.19 or newer; Debian bookworm has 18).
FROM ${NODE_IMAGE} AS node

# `make build`: the wasm32-wasip2 target, the built-in skills, the UI, then the release binary.
FROM ${RUST_IMAGE} AS build
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
WORKDIR /src
COPY . .
RUN make build

# The runtime's files (/image/rootfs, the root filesystem, and /image/data, an empty directory),
# gathered by the script a host build uses ...
FROM build AS rootfs-build
RUN tools/container-rootfs.sh target/release/prax /image

# ... or gathered by it on the host, in the directory given as the build context.
FROM scratch AS rootfs-local
COPY . /image/

FROM ${ROOTFS:-rootfs-build} AS rootfs

FROM scratch
COPY --from=rootfs /image/rootfs/ /
# The data directory, and so a fresh volume, belongs to the user: --chown on a COPY that
# creates its destination (copied onto an existing directory, it would stay root's).
COPY --from=rootfs --chown=10001:10001 /image/data /data
USER 10001:10001
WORKDIR /
# The working directory is /, so an operator's configuration mounted at
# /config/praximous.toml is read without naming it (PRAXIMOUS_CONFIG names another).
ENV PRAXIMOUS_BIND=0.0.0.0:8000 \
    PRAXIMOUS_DATA_DIR=/data \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
EXPOSE 8000
VOLUME /data
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/usr/local/bin/prax", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/prax"]
CMD ["serve"]
