# sqsgate — the targets read like the SAM CLI commands they stand in for.
# `make help` lists them.

SHELL := /bin/bash
GO ?= go
FUNCTIONS := WebhookFunction AuthorizerFunction TransformerFunction ConsumerFunction
# A function's main lives in functions/<logical id without "Function", lowercased>.
pkg = ./functions/$(shell echo '$(1)' | sed 's/Function$$//' | tr A-Z a-z)

LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags='-s -w'
LOCAL_BIN := bin/local
SQSGATE := bin/sqsgate
FN ?= WebhookFunction
EVENT ?= events/webhook/github-push.json
ENV_VARS ?= env.local.json
# Extra `sqsgate run` flags, e.g. RUN_ARGS='--parameter-overrides EnableConsumer=true'.
RUN_ARGS ?=
# The API form `make run` serves: http (the HTTP API, default) or rest (the
# REST API: make run API_TYPE=rest). Passed as the ApiType parameter only
# when it is not the default, so a plain `make run` is the command it was;
# RUN_ARGS' own --parameter-overrides still apply (the flag repeats). The
# REST form serves no CORS and the template's Rules refuse an origin on it,
# so env.local.json's CorsAllowOrigins is cleared for it.
API_TYPE ?= http
API_ARGS = $(if $(filter-out http,$(API_TYPE)),--parameter-overrides 'ApiType=$(API_TYPE) CorsAllowOrigins=')
# ConsumerFunction exists only with EnableConsumer=true (off by default).
INVOKE_ARGS ?= $(if $(filter ConsumerFunction,$(FN)),--parameter-overrides EnableConsumer=true)
# Test flags: the suite runs with -race; CI adds nothing else.
TEST_FLAGS ?= -race -count=1 -timeout 20m
BENCH ?= .

.PHONY: help build sqsgate-bin run watch invoke events token sqs test test-short bench mutate lint deploy deploy-dev deploy-prod clean $(addprefix build-,$(FUNCTIONS))

help: ## List the targets
	@grep -hE '^[a-zA-Z_%-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  %-14s %s\n", $$1, $$2}'

build: ## Build every function for Lambda (linux/arm64) into .aws-sam/build/<LogicalId>/bootstrap, like `sam build`
	@for fn in $(FUNCTIONS); do $(MAKE) --no-print-directory build-$$fn ARTIFACTS_DIR=$(CURDIR)/.aws-sam/build/$$fn || exit 1; done

# `sam build` calls build-<LogicalId> with ARTIFACTS_DIR set (BuildMethod: makefile).
$(addprefix build-,$(FUNCTIONS)): build-%:
	@mkdir -p $(ARTIFACTS_DIR)
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap $(call pkg,$*)

build-local: ## Build sqsgate and every function's bootstrap for this machine into bin/
	$(GO) build -o $(SQSGATE) ./cmd/sqsgate
	@for fn in $(FUNCTIONS); do \
		$(MAKE) --no-print-directory build-local-$$fn || exit 1; \
	done

build-local-%:
	CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o $(LOCAL_BIN)/$*/bootstrap $(call pkg,$*)

# The command itself; it builds the functions it runs (sqsgate run --build),
# one progress line per function.
sqsgate-bin:
	@echo "sqsgate: building $(SQSGATE) (a first build compiles every dependency: a minute or two)"
	@start=$$(date +%s); $(GO) build -o $(SQSGATE) ./cmd/sqsgate && echo "sqsgate: built $(SQSGATE) in $$(( $$(date +%s) - start ))s"

run: sqsgate-bin ## Run the whole app locally: SQS on :9324, HTTP API on :3000 (API_TYPE=rest: the REST API), Lambda on :3001 (no Docker, no AWS); builds stale functions first
	$(SQSGATE) run --template template.yaml --env-vars $(ENV_VARS) --functions-dir $(LOCAL_BIN) $(API_ARGS) $(RUN_ARGS)

watch: sqsgate-bin ## make run, plus: a function whose Go sources change is rebuilt and swapped in without a restart
	$(SQSGATE) run --watch --template template.yaml --env-vars $(ENV_VARS) --functions-dir $(LOCAL_BIN) $(API_ARGS) $(RUN_ARGS)

invoke: sqsgate-bin ## Invoke one function's real binary on one event: make invoke FN=WebhookFunction EVENT=events/webhook/github-push.json
	@$(SQSGATE) events >/dev/null # fresh time-signed fixtures (Paddle's window is 5 s)
	$(SQSGATE) invoke $(FN) --event $(EVENT) --env-vars $(ENV_VARS) --functions-dir $(LOCAL_BIN) $(INVOKE_ARGS)

events: ## Re-sign the fixtures in events/ with the dev secrets and fresh tokens (the time-signed ones are git-ignored)
	$(GO) run ./cmd/sqsgate events

token: ## Print a token from the local dev issuer (dev only)
	@$(GO) run ./cmd/sqsgate token

sqs: ## Run only the SQS-compatible endpoint on 127.0.0.1:9324 (in memory)
	$(GO) run ./cmd/sqsgate sqs

test: ## Run every test (peers: moto_server, cfn-lint, aws CLIs; see README)
	$(GO) vet ./...
	$(GO) test $(TEST_FLAGS) ./...

test-short: ## Run the tests that need no peer and no built binaries
	$(GO) test -short -count=1 ./...

bench: ## Run the benchmarks side by side with their peers (ratios are reported per benchmark)
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -benchtime 1s ./...

# The security packages, mutated one at a time so each gets its own figures.
# gremlins mutates a path's subdirectories too; -E '/' keeps each run to the
# package's own files (./internal/webhook without github/ and paddle/).
# Its per-mutant timeout is a multiple of the coverage run's time, which a
# cached test result would shrink to nothing: -count=1 keeps it real.
MUTATE_PKGS ?= ./internal/webhook/github ./internal/webhook/paddle ./internal/webhook/stripe ./internal/webhook/standard ./internal/webhook/shopify ./internal/webhook/slack ./internal/webhook/internal/sigcheck ./internal/webhook ./internal/cognito ./internal/authorizer ./internal/transform ./internal/secrets
GREMLINS := $(GO) run github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0

mutate: ## Mutation-test the security packages with gremlins (efficacy >= 95%, mutator coverage >= 90% each): make mutate MUTATE_PKGS=./internal/cognito
	@for pkg in $(MUTATE_PKGS); do \
		echo "== $$pkg"; \
		GOFLAGS=-count=1 $(GREMLINS) unleash --workers 1 --timeout-coefficient 10 --threshold-efficacy 95 --threshold-mcover 90 -E '/' $$pkg || exit 1; \
	done

lint: ## gofmt, go vet and cfn-lint
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	cfn-lint template.yaml

deploy: ## sam build && sam deploy (default config; first time: sam deploy --guided)
	sam build && sam deploy

deploy-dev: ## Deploy the dev environment from samconfig.toml
	sam build && sam deploy --config-env dev

deploy-prod: ## Deploy the prod environment from samconfig.toml (confirms the change set)
	sam build && sam deploy --config-env prod

clean: ## Remove build output and local data
	rm -rf bin .aws-sam .sqsgate
