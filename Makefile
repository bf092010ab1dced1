# bounced — make targets. `make run` starts the service; `make test` runs every test.
GO      ?= go
TOOL    := $(GO) tool -modfile=tools/go.mod
BIN     := bin/bounced

.PHONY: run build test generate check-generate lint fuzz bench score clean

run: ## start the gRPC service on 127.0.0.1:50051 with the in-process cache
	$(GO) run ./cmd/bounced serve

build:
	$(GO) build -o $(BIN) ./cmd/bounced

test: ## everything CI runs: installs redis-server when missing
	./scripts/test.sh

generate: ## regenerate internal/gen, the commented descriptors reflection serves, and the OpenAPI document the HTTP API serves
	$(TOOL) buf generate
	$(TOOL) buf build proto --as-file-descriptor-set -o internal/server/bounced.binpb
	cp internal/gen/openapi/bounced.swagger.json internal/server/openapi.json

check-generate: generate
	git diff --exit-code -- internal/gen internal/server/bounced.binpb internal/server/openapi.json
	@test -z "$$(git status --porcelain -- internal/gen internal/server/bounced.binpb internal/server/openapi.json)" || (echo "untracked generated files"; exit 1)

lint:
	$(TOOL) buf lint
	./scripts/buf-breaking.sh
	gofmt -l $$(git ls-files '*.go' | grep -v '^internal/gen/') | (! grep .)
	$(GO) vet ./...

fuzz: ## run the parser fuzzer for FUZZTIME (default 30s)
	$(GO) test ./internal/dsn -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $${FUZZTIME:-30s}

bench: ## benchmarks, 6 runs each, for benchstat
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./internal/... | tee bench.out
	$(TOOL) benchstat bench.out

score: build ## agreement with the corpus labels (needs ../shared)
	../shared/tools/score.sh -cmd "$(CURDIR)/$(BIN) parse --format=jsonl"

clean:
	rm -rf bin bench.out
