# gemmforge: `make demo` and `make test` set everything up on a fresh machine.
.PHONY: all install build test demo bench clean

all: build

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

install: node_modules/.package-lock.json

build: install
	npm run --silent build

test: build
	npx tsc --noEmit -p .
	npx vitest run --reporter=default --reporter=json --outputFile=.vitest-results.json; \
	  status=$$?; node scripts/test_summary.mjs .vitest-results.json; exit $$status

demo: build
	node dist/cli/main.js targets
	node dist/cli/main.js schedule --gemm 200,120,300 --relu --verify
	node dist/cli/main.js schedule --conv N=1,H=28,W=28,C=64,K=64,R=3,S=3,stride=1,pad=1 --scheduler exhaustive --verify

bench: build
	npx tsx bench/sim.ts

clean:
	rm -rf dist
