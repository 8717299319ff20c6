# linkpool: the two quick-start commands are `make devnet` and `make test`.
# Both install what they need (anvil and solc come from npm) on a machine that
# has only Rust, Node.js and npm.

CARGO ?= cargo
NPM   ?= npm

.PHONY: help devnet test tools contracts contracts-deps contracts-check reference build bench lint

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

devnet: tools ## run the local devnet demo (anvil + contracts + node + demo data source); Ctrl-C stops it
	$(CARGO) run --bin linkpool -- devnet $(ARGS)

test: tools reference ## run the whole test suite (Rust unit, integration and end-to-end tests)
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
		$(CARGO) nextest run --workspace --no-fail-fast $(ARGS); \
	else \
		$(CARGO) test --workspace --no-fail-fast $(ARGS); \
	fi

build: ## build the linkpool binary (release)
	$(CARGO) build --release --bin linkpool

bench: tools reference ## gas, latency and throughput of the direct-request path (see BENCHMARKS.md)
	$(CARGO) run --release --bin linkpool -- bench direct-request $(ARGS)

tools/node_modules/.installed: tools/package.json tools/package-lock.json
	cd tools && $(NPM) ci --no-audit --no-fund
	@touch $@

tools: tools/node_modules/.installed ## install anvil (from npm) into tools/node_modules

contracts/node_modules/.installed: contracts/package.json contracts/package-lock.json
	cd contracts && $(NPM) ci --no-audit --no-fund
	@touch $@

contracts-deps: contracts/node_modules/.installed

contracts: contracts-deps ## rebuild the committed contract artifacts in contracts/out with the pinned solc
	cd contracts && node scripts/build.mjs

contracts-check: contracts ## fail if contracts/out differs from what the sources compile to
	@git diff --exit-code --stat -- contracts/out || { echo "contracts/out is stale: run 'make contracts' and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- contracts/out)" || { git status --porcelain -- contracts/out; echo "untracked or changed artifacts in contracts/out: run 'make contracts' and commit"; exit 1; }

reference: contracts-deps ## compile @chainlink/contracts' Operator and ChainlinkClient consumers (test peers) into contracts/reference-out
	cd contracts && node scripts/build-reference.mjs

lint: ## rustfmt and clippy
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
