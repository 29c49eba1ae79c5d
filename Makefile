# Shortcuts; each target is one plain command you can also type yourself.
.PHONY: dev test test-pg fmt lint bench bench-marks ci

dev:        ## build and run the site on SQLite with the demo registry
	cargo run -- serve --demo

test:       ## all tests; the PostgreSQL half runs when 127.0.0.1:5432 answers
	cargo test

test-pg:    ## all tests, failing if PostgreSQL is unreachable
	SQE_TEST_REQUIRE_PG=1 cargo test

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets --all-features -- -D warnings

bench:      ## search latency and page throughput at 100k and 1M certificates (slow)
	bench/run.sh

bench-marks: ## badge and QR code: render times, throughput vs nginx, sighting cost
	cargo bench --bench marks
	bench/marks.sh

ci:
	bash .ci/run
