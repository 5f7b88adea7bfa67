# Atlas' single binary in a small image (used by compose.yml and the Helm chart).
FROM node:20-bookworm AS web
WORKDIR /src/web
COPY web/package*.json ./
RUN if [ -f package.json ]; then npm ci; fi
COPY web/ ./
RUN if [ -f package.json ]; then npm run build; fi

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/web/dist ./web/dist
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w" -o /out/atlas ./cmd/atlas

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/atlas /usr/local/bin/atlas
USER 65532:65532
ENTRYPOINT ["atlas"]
CMD ["serve"]
