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
DOMAIN    := ./grading/... ./checklist/... ./audit/... ./reports/...

.PHONY: build run test test-postgres lint fuzz bench bench-scale clean

build:
	$(GO) build -o $(BIN) ./cmd/refurbqa

# Builds, migrates the database (SQLite refurbqa.db unless the environment or DSN says
# otherwise), loads demo data and prints tokens the first time (kept in var/ so the next run
# reuses them), then serves the API.
run: build
	@./scripts/first-run.sh "$(BIN)" '$(DB)' '$(DSN)' '$(ADDR)'
	REFURBQA_DB='$(DB)' REFURBQA_DSN='$(DSN)' REFURBQA_ADDR='$(ADDR)' ./$(BIN) serve

test:
	$(GO) test -count=1 $(PKGS)

# The same suite against PostgreSQL: store tests run on both databases, HTTP tests on PostgreSQL.
test-postgres:
	REFURBQA_TEST_POSTGRES_DSN='$(PG_DSN)' REFURBQA_TEST_DB=postgres $(GO) test -count=1 ./store/... ./httpapi/... ./cmd/...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet $(PKGS)
	$(GO) tool staticcheck $(PKGS)
	@! $(GO) list -deps $(DOMAIN) | grep -E 'labstack/echo|gorm\.io' || (echo "a domain package depends on echo or gorm"; exit 1)

# Runs every fuzz target briefly (FUZZTIME each).
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

bench:
	$(GO) test -run='^$$' -bench=. -benchmem $(PKGS)

bench-scale: build
	./scripts/bench-scale.sh "$(BIN)"

clean:
	rm -rf bin var $(DB_FILE) $(DB_FILE)-wal $(DB_FILE)-shm
