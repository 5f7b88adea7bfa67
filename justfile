# Recipes for people who have `just`; each wraps a script in scripts/.

# Run Atlas with all its services on http://127.0.0.1:8080
dev:
    ./scripts/dev

# Run the whole test suite against real services
test *pkgs:
    ./scripts/test {{pkgs}}

# Start Postgres, Kafka and Elasticsearch as local processes
services:
    ./scripts/services start

# Stop the local services
stop:
    ./scripts/services stop

# Apply database migrations
migrate:
    bash -c 'source scripts/go-env && go run ./cmd/atlas migrate'

# Run the benchmarks and print the figures recorded in the README
bench:
    ./scripts/bench

# Print the effective configuration (secrets redacted)
config:
    bash -c 'source scripts/go-env && go run ./cmd/atlas config'
