# Atlas' single binary in a small image, for Docker users (compose.yml). The
# image the pipeline ships is built without Docker by scripts/image (ko on a
# base assembled from the Debian packages in image/base.lock); this file gives
# the same image: the same Debian release's glibc, CA bundle and tzdata, the
# binary at /ko-app/atlas built with cgo, non-root user 65532, no shell.
FROM node:20-bookworm AS web
WORKDIR /src/web
COPY web/package*.json ./
RUN npm ci
COPY web/ ./
RUN npm run build

FROM golang:1.27.3-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/web/dist ./web/dist
ARG ATLAS_VERSION=dev
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${ATLAS_VERSION}" -o /out/atlas ./cmd/atlas

# The base, assembled the way scripts/image does it: the same three Debian
# packages unpacked (not installed), the CA bundle concatenated in a fixed
# order, passwd/group with the non-root user. (scripts/image pins the
# versions in image/base.lock; here apt takes the current ones.)
FROM debian:bookworm-slim AS base
SHELL ["/bin/bash", "-euo", "pipefail", "-c"]
RUN apt-get update && cd /tmp && apt-get download libc6 ca-certificates tzdata \
 && for deb in ./*.deb; do dpkg-deb -x "$deb" /rootfs; done \
 && rm -rf /rootfs/usr/share/{doc,man,info,lintian} /rootfs/usr/sbin /rootfs/etc/ca-certificates \
      /rootfs/usr/lib/x86_64-linux-gnu/gconv /rootfs/usr/libexec /rootfs/usr/bin \
 && mkdir -p /rootfs/etc/ssl/certs /rootfs/tmp /rootfs/home/nonroot \
 && find /rootfs/usr/share/ca-certificates -name '*.crt' | LC_ALL=C sort | xargs cat >/rootfs/etc/ssl/certs/ca-certificates.crt \
 && printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >/rootfs/etc/passwd \
 && printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >/rootfs/etc/group \
 && printf 'hosts: files dns\n' >/rootfs/etc/nsswitch.conf \
 && ln -sf /usr/share/zoneinfo/UTC /rootfs/etc/localtime \
 && chmod 1777 /rootfs/tmp && chown 65532:65532 /rootfs/home/nonroot

FROM scratch
COPY --from=base /rootfs/ /
COPY --from=build /out/atlas /ko-app/atlas
ENV PATH=/usr/local/bin:/usr/bin:/bin SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt HOME=/home/nonroot
LABEL org.opencontainers.image.source=https://github.com/atlasapp/atlas org.opencontainers.image.title=atlas
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/ko-app/atlas"]
CMD ["serve"]
