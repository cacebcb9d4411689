# refurbqa — a thin Makefile: every target is one or two plain commands.

GO        ?= go
BIN       := bin/refurbqa
DB_FILE   ?= refurbqa.db
# make run serves what the environment says (REFURBQA_ADDR, REFURBQA_DB, REFURBQA_DSN, as the
# binary itself reads them); a make variable given on the command line wins:
# make run ADDR=127.0.0.1:9000 DSN=other.db (or the older DB_FILE=other.db).
ADDR      ?= $(or $(REFURBQA_ADDR),127.0.0.1:8080)
DB        ?= $(or $(REFURBQA_DB),sqlite)
DSN       ?= $(if $(filter command line,$(origin DB_FILE)),$(DB_FILE),$(or $(REFURBQA_DSN),$(DB_FILE)))
PG_DSN    ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
FUZZTIME  ?= 15s
PKGS      := ./...
DOMAIN    := ./grading/... ./sampling/... ./checklist/... ./audit/... ./reports/...
ADAPTERS  := $(wildcard httpapi console)
ADAPTERS  := $(addsuffix /...,$(addprefix ./,$(ADAPTERS)))
# The decoder of the API's documents, shared by every adapter that accepts them (the API, the
# console's batch upload): it knows no transport.
WIRE      := ./httpapi/wire/...

# npm tools of lint-openapi, pinned; npx keeps them in the npm cache (~/.npm/_npx), so only the
# first run downloads them.
REDOCLY_CLI_VERSION := 2.77.0
OPENAPI_TS_VERSION  := 7.13.0
TYPESCRIPT_VERSION  := 5.9.3
NPX                 ?= npx --yes --prefer-offline

.PHONY: build run test test-postgres lint lint-openapi fuzz bench bench-scale bench-lots clean

build:
	$(GO) build -o $(BIN) ./cmd/refurbqa

# Builds, migrates the database (SQLite refurbqa.db unless the environment or DSN says
# otherwise), loads demo data and prints tokens the first time (kept in var/ so the next run
# reuses them), then serves the API.
run: build
	@./scripts/first-run.sh "$(BIN)" '$(DB)' '$(DSN)' '$(ADDR)'
	REFURBQA_DB='$(DB)' REFURBQA_DSN='$(DSN)' REFURBQA_ADDR='$(ADDR)' ./$(BIN) serve

# The browser tests (console/browsertest) need chromium ($$REFURBQA_CHROMIUM or /usr/bin/chromium),
# node and npm. go test skips them quietly without; this line says so (in CI they fail instead).
test:
	@if [ "$$CI" != true ]; then \
		if [ ! -x "$${REFURBQA_CHROMIUM:-/usr/bin/chromium}" ]; then echo "browser tests skipped: no chromium at $${REFURBQA_CHROMIUM:-/usr/bin/chromium} (apt-get install chromium)"; \
		elif ! command -v node >/dev/null || ! command -v npm >/dev/null; then echo "browser tests skipped: node and npm are not installed (apt-get install nodejs npm)"; fi; \
	fi
	$(GO) test -count=1 $(PKGS)
	cd third_party/gopdf && $(GO) test -count=1 ./...

# The same suite against PostgreSQL: store tests run on both databases, HTTP and console tests on PostgreSQL.
test-postgres:
	REFURBQA_TEST_POSTGRES_DSN='$(PG_DSN)' REFURBQA_TEST_DB=postgres $(GO) test -count=1 ./store/... ./httpapi/... ./console/ ./cmd/...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet $(PKGS)
	$(GO) tool staticcheck $(PKGS)
	@! $(GO) list -deps $(DOMAIN) | grep -E 'labstack/echo|gorm\.io' || (echo "a domain package depends on echo or gorm"; exit 1)
	@! $(GO) list -deps ./store/... | grep refurbqa/reports || (echo "store depends on reports (it implements reports.Source without importing it)"; exit 1)
	@! $(GO) list -deps $(ADAPTERS) | grep -E 'refurbqa/store$$' || (echo "an adapter (httpapi, console) depends on store: adapters call the domain's services, and only cmd wires store in"; exit 1)
	@! $(GO) list -deps $(WIRE) | grep -E 'labstack/echo|gorm\.io' || (echo "httpapi/wire depends on echo or gorm: it decodes the API's documents for every adapter, the console's batch upload too"; exit 1)
	@! $(GO) list -f '{{range .Imports}}{{if eq . "github.com/refurbqa/refurbqa/console/browsertest"}}{{$$.ImportPath}}{{"\n"}}{{end}}{{end}}' $(PKGS) | grep . || (echo "a package imports console/browsertest, which is for tests only"; exit 1)
	@! $(GO) list -f '{{range .Imports}}{{if eq . "github.com/refurbqa/refurbqa/reports/pdftest"}}{{$$.ImportPath}}{{"\n"}}{{end}}{{end}}' $(PKGS) | grep . || (echo "a package imports reports/pdftest, which is for tests only"; exit 1)

# Lints the merged OpenAPI document with Redocly CLI (redocly.yaml: the recommended rules, any
# warning an error), then generates TypeScript from it with openapi-typescript and checks that
# every operation comes out named (operations["listSellers"], ...), as client generators need.
# Redocly's telemetry is off: the target needs no network but the npm registry.
lint-openapi:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GO) run ./cmd/refurbqa openapi > "$$tmp/openapi.json"; \
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
		$(NPX) @redocly/cli@$(REDOCLY_CLI_VERSION) lint --lint-config error --config redocly.yaml "$$tmp/openapi.json"; \
	$(NPX) -p openapi-typescript@$(OPENAPI_TS_VERSION) -p typescript@$(TYPESCRIPT_VERSION) -- \
		openapi-typescript "$$tmp/openapi.json" --redocly redocly.yaml -o "$$tmp/openapi.d.ts"; \
	ops=$$(grep -c '"operationId":' "$$tmp/openapi.json"); named=$$(grep -c ': operations\["[A-Za-z]*"\];' "$$tmp/openapi.d.ts"); \
	grep -q '^export interface operations {' "$$tmp/openapi.d.ts" || { echo "openapi-typescript made no operations interface"; exit 1; }; \
	for id in listSellers createBenchTest approveScorecard getScorecardReport importKpiMonths; do \
		grep -q "^    $$id: {" "$$tmp/openapi.d.ts" || { echo "openapi-typescript did not name operation $$id"; exit 1; }; \
	done; \
	test "$$ops" -eq "$$named" || { echo "$$ops operations in the document, but $$named named in the TypeScript"; exit 1; }; \
	echo "openapi-typescript: $$named named operations"

# Runs every fuzz target briefly (FUZZTIME each).
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

bench:
	$(GO) test -run='^$$' -bench=. -benchmem $(PKGS)

bench-scale: build
	./scripts/bench-scale.sh "$(BIN)"

# The lot-samples load (issue 15): samples/s of 8 clients on a fresh SQLite database, 3 runs.
bench-lots: build
	./scripts/bench-lot-samples.sh "$(BIN)"

clean:
	rm -rf bin var $(DB_FILE) $(DB_FILE)-wal $(DB_FILE)-shm $(DB_FILE).lock
