# gemmforge: `make demo` and `make test` set everything up on a fresh machine.
.PHONY: all install build test demo bench fuzz clean riscv-toolchain chromium redis

all: build

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

install: node_modules/.package-lock.json

build: install
	npm run --silent build

# The RISC-V cross compiler checks the emitted C's custom instructions; without apt the test says so.
riscv-toolchain:
	@command -v riscv64-unknown-elf-gcc >/dev/null 2>&1 || \
	  { command -v apt-get >/dev/null 2>&1 && \
	    (apt-get update -qq && apt-get install -y -qq gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf \
	      >/dev/null) ; } || \
	  echo "notice: gcc-riscv64-unknown-elf could not be installed; the RISC-V checks will be skipped"

# Headless Chromium opens the HTML report in its test; without apt the test says so and is skipped.
chromium:
	@command -v chromium >/dev/null 2>&1 || \
	  { command -v apt-get >/dev/null 2>&1 && \
	    (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) ; } || \
	  echo "notice: chromium could not be installed; the browser test of the HTML report will be skipped"

# The job-queue tests of `gemmforge explore --queue` start Debian's redis-server on a free local
# port themselves; without apt the test says so and is skipped.
redis:
	@command -v redis-server >/dev/null 2>&1 || \
	  { command -v apt-get >/dev/null 2>&1 && \
	    (apt-get update -qq && apt-get install -y -qq redis-server >/dev/null) ; } || \
	  echo "notice: redis-server could not be installed; the job-queue tests will be skipped"

test: build riscv-toolchain chromium redis
	npx tsc --noEmit -p .
	npx vitest run --reporter=default --reporter=json --outputFile=.vitest-results.json; \
	  status=$$?; node scripts/test_summary.mjs .vitest-results.json; exit $$status

# The demo: the trained LeNet-5 (models/README.md) quantized for Gemmini and run on 100 held-out
# MNIST digits, checked layer by layer and against onnxruntime and the digits' labels; then the
# int8 MobileNetV2 (random weights) scheduled and timed.
DEMO_MNIST = --input-shape image=100x1x28x28 --quantize --calibrate models/mnist/calibration \
  --verify --input models/mnist/test_images.npy --labels models/mnist/test_labels.npy
demo: build
	node dist/cli/main.js targets
	@echo
	node dist/cli/main.js compile models/lenet_mnist.onnx $(DEMO_MNIST) -o out/lenet_mnist --force
	@echo
	node dist/cli/main.js compile models/q_mobilenet_v2.onnx -o out/q_mobilenet_v2 --force

bench: build
	npx tsx bench/sim.ts
	npx tsx bench/schedulers.ts
	npx tsx bench/e2e.ts

# The long fuzz run (test/fuzz/): FUZZ_CASES seeded cases through the built CLI, written to
# bench/results/fuzz.md; exits 1 on any stack trace, unexpected exit status or hang. FUZZ_FROM=F
# continues a finding-free record of cases 0 … F−1 of the same seed.
FUZZ_CASES ?= 10000
FUZZ_SEED ?= 1
FUZZ_FROM ?= 0
fuzz: build
	npx tsx test/fuzz/main.ts --cases $(FUZZ_CASES) --seed $(FUZZ_SEED) --from $(FUZZ_FROM)

clean:
	rm -rf dist
