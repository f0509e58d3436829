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
	npx tsx scripts/demo_matmul.ts

bench: build
	npx tsx bench/sim.ts

clean:
	rm -rf dist
