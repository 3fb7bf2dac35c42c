# Thin wrappers around scripts/, which work without make too.
.PHONY: test lint tools tour bench ci

test: ## every module alone: tidy, vet, race tests
	bash scripts/test.sh

lint: ## golangci-lint on every module, actionlint on the workflows
	bash scripts/lint.sh

tools: ## install the pinned tools into .tools/bin
	bash scripts/tools.sh

tour: ## the tour of every module
	go run ./examples/tour

bench: ## same-run benchmarks against the peers, writes docs/benchmarks.md
	bash scripts/bench.sh

ci: ## what CI runs
	bash .ci/run
