import type { DType, Graph } from '../ir/graph.js';
import type { AnyTarget } from '../contract/target.js';
import { cType } from './c_model_data.js';

/**
 * The C project's small files: model.h, main.c (input from raw files or a seeded built-in one, outputs'
 * first values and checksums, the simulated cycles), the Makefile (host trace build, RISC-V build)
 * and the README.
 */

export interface ModelIo {
  readonly name: string;
  readonly index: number;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly count: number;
}

const quote = (s: string) =>
  s
    .replace(/[\\"]/g, '\\$&')
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/\?\?/g, '?\\?');

/** A seeded value of `dtype` from the generator state `s` (uniform in [-1, 1) for floats). */
function seeded(dtype: DType): string {
  if (dtype === 'float32' || dtype === 'float64') {
    return `(${cType(dtype)})((double)(gf_next(&seed) >> 8) / 8388608.0 - 1.0)`;
  }
  return `(${cType(dtype)})(gf_next(&seed) & 0x7f)`;
}

export function modelMain(inputs: readonly ModelIo[], outputs: readonly ModelIo[]): string {
  const buffers = [
    ...inputs.map((x) => `static ${cType(x.dtype)} input_${x.index}[${Math.max(1, x.count)}];`),
    ...outputs.map((x) => `static ${cType(x.dtype)} output_${x.index}[${Math.max(1, x.count)}];`),
  ];
  const read = inputs.map((x) =>
    [
      `  if (files > ${x.index}) {`,
      `    read_raw(file[${x.index}], input_${x.index}, sizeof input_${x.index});`,
      '  } else {',
      `    for (long i = 0; i < ${x.count}; ++i) input_${x.index}[i] = ${seeded(x.dtype)};`,
      '  }',
    ].join('\n'),
  );
  const print = outputs.map((x) =>
    [
      `  printf("output ${x.index} '%s' ${x.dtype} [${x.shape.join(', ')}]:", "${quote(x.name)}");`,
      `  for (long i = 0; i < ${Math.min(8, x.count)}; ++i) printf(" %.9g", (double)output_${x.index}[i]);`,
      `  checksum(output_${x.index}, ${x.count}, sizeof output_${x.index});`,
      ...[`  if (out != NULL) fwrite(output_${x.index}, 1, sizeof output_${x.index}, out);`],
    ].join('\n'),
  );
  const args = [
    ...inputs.map((x) => `input_${x.index}`),
    ...outputs.map((x) => `output_${x.index}`),
  ];
  return `/* gemmforge: runs the model once and prints its outputs (generated).
 *
 * usage: model [INPUT.raw ...] [-o OUTPUTS.raw]
 *   one raw little-endian file per graph input, in order (else a seeded built-in input);
 *   -o writes every output, raw and in order, to a file. In trace mode the accelerator
 *   instructions go to the file named by GF_TRACE; without it no trace is written.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"

${buffers.join('\n')}

static uint32_t gf_next(uint32_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 17;
  *s ^= *s << 5;
  return *s;
}

static void read_raw(const char *path, void *to, size_t bytes) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    exit(2);
  }
  const size_t got = fread(to, 1, bytes, f);
  const int more = fgetc(f) != EOF;
  fclose(f);
  if (got != bytes || more) {
    fprintf(stderr, "%s: expected %zu bytes\\n", path, bytes);
    exit(2);
  }
}

/* The sum of the values and an FNV-1a hash of the bytes. */
static void checksum(const void *data, long count, size_t bytes) {
  const unsigned char *b = (const unsigned char *)data;
  uint32_t hash = 2166136261u;
  for (size_t i = 0; i < bytes; ++i) hash = (hash ^ b[i]) * 16777619u;
  printf("\\n  elements %ld, fnv1a 0x%08lx\\n", count, (unsigned long)hash);
}

int main(int argc, char **argv) {
  const char *file[${Math.max(1, inputs.length)}] = {0};
  const char *outPath = NULL;
  int files = 0;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
      outPath = argv[++i];
    } else if (files < ${inputs.length}) {
      file[files++] = argv[i];
    } else {
      fprintf(stderr, "usage: %s [INPUT.raw ...] [-o OUTPUTS.raw]\\n", argv[0]);
      return 2;
    }
  }
  uint32_t seed = 0x9e3779b9u;
${read.join('\n')}
  const char *trace = getenv("GF_TRACE");
  gf_model_trace_open(trace != NULL && trace[0] != '\\0' ? trace : NULL);
  gf_run_model(${args.join(', ')});
  gf_model_trace_close();
  FILE *out = outPath == NULL ? NULL : fopen(outPath, "wb");
  if (outPath != NULL && out == NULL) {
    perror(outPath);
    return 2;
  }
${print.join('\n')}
  if (out != NULL) fclose(out);
  printf("simulated accelerator cycles: %llu (%.3f ms at %.0f MHz)\\n",
         (unsigned long long)GF_SIMULATED_CYCLES,
         (double)GF_SIMULATED_CYCLES / (double)GF_CLOCK_HZ * 1e3, (double)GF_CLOCK_HZ / 1e6);
  return 0;
}
`;
}

/** model.h: the model's sizes, the simulated cycles and gf_run_model's prototype. */
export function modelHeader(
  graph: Graph,
  target: AnyTarget,
  inputs: readonly ModelIo[],
  outputs: readonly ModelIo[],
  params: string,
  cycles: number,
): string {
  const describe = (kind: string, x: ModelIo) =>
    `#define GF_${kind}_${x.index}_COUNT ${x.count} /* '${x.name.replace(/\*\//g, '* /')}': ${x.dtype} [${x.shape.join(', ')}] */`;
  return [
    `/* gemmforge: model "${graph.name}" on ${target.name} (generated) */`,
    '#ifndef GF_MODEL_H',
    '#define GF_MODEL_H',
    '#include <stdint.h>',
    '',
    '/* The accelerator cycles gemmforge simulated for one run of the model. */',
    `#define GF_SIMULATED_CYCLES UINT64_C(${cycles})`,
    `#define GF_CLOCK_HZ UINT64_C(${target.spec.clockHz})`,
    `#define GF_INPUTS ${inputs.length}`,
    `#define GF_OUTPUTS ${outputs.length}`,
    ...inputs.map((x) => describe('INPUT', x)),
    ...outputs.map((x) => describe('OUTPUT', x)),
    '',
    "/* Runs the model: inputs and outputs row-major in the graph's layouts. */",
    `void gf_run_model(${params});`,
    '/* Trace mode: the file the accelerator instructions are logged to, NULL for none (no-ops on the device). */',
    'void gf_model_trace_open(const char *path);',
    'void gf_model_trace_close(void);',
    '',
    '#endif',
    '',
  ].join('\n');
}

export function modelMakefile(): string {
  return `# gemmforge: builds the model (generated).
#   make        the host build: the runtime header's trace mode logs every accelerator instruction
#               and the layers' integer reference computes their outputs
#   make riscv  objects for the device (real RoCC instructions), with riscv64-unknown-elf-gcc
CC ?= cc
CFLAGS ?= -std=c11 -O1 -Wall -Wextra
# The arena is one byte array that host loops read as float and int32: no strict aliasing.
ALL_CFLAGS = $(CFLAGS) -fno-strict-aliasing
RISCV_CC ?= riscv64-unknown-elf-gcc
RISCV_CFLAGS ?= -std=c11 -O2 -Wall -Wextra -march=rv64gc -mabi=lp64d
SOURCES = main.c model.c weights.c
HEADERS = model.h weights.h gf_runtime.h

.PHONY: all riscv clean
all: model

model: $(SOURCES) $(HEADERS)
\t$(CC) $(ALL_CFLAGS) -o $@ $(SOURCES) -lm

# Freestanding (the bare-metal compiler has no libc): link these with your platform's startup code.
riscv: model.riscv.o weights.riscv.o

%.riscv.o: %.c $(HEADERS)
\t$(RISCV_CC) $(RISCV_CFLAGS) -fno-strict-aliasing -ffreestanding -c -o $@ $<

clean:
\trm -f model *.o trace.txt
`;
}

export interface ReadmeFacts {
  readonly model: string;
  readonly target: string;
  readonly accelerated: number;
  readonly host: number;
  readonly arenaBytes: number;
  readonly cycles: number;
  readonly clockHz: number;
  readonly inputs: readonly ModelIo[];
  readonly outputs: readonly ModelIo[];
}

export function modelReadme(f: ReadmeFacts): string {
  const io = (xs: readonly ModelIo[]) =>
    xs.map((x) => `- \`${x.name}\`: ${x.dtype} [${x.shape.join(', ')}]`).join('\n');
  return `# ${f.model} on ${f.target} (generated by gemmforge)

${f.accelerated} layers run on the accelerator, ${f.host} ops on the host CPU. gemmforge simulated
**${f.cycles} accelerator cycles** for one run (${((f.cycles / f.clockHz) * 1e3).toFixed(3)} ms at
${f.clockHz / 1e6} MHz); \`GF_SIMULATED_CYCLES\` in model.h holds it.

\`\`\`sh
make                                 # host build, trace mode
./model input.raw -o outputs.raw     # or ./model for a seeded built-in input
GF_TRACE=trace.txt ./model           # host build: also log every accelerator instruction
make riscv                           # device objects with riscv64-unknown-elf-gcc
\`\`\`

Inputs (raw little-endian files, one per input, in this order):
${io(f.inputs)}

Outputs (\`-o\` writes them raw, in this order; the program prints their first values and checksums):
${io(f.outputs)}

## Files

- \`model.c\`: \`gf_run_model\`. One function per accelerator layer holds its loops of instructions
  (the macros of \`gf_runtime.h\`); around it, C loops move the layer's input from the graph's
  layout (NCHW) into the workload's DRAM layout (NHWC, padded with the input's zero point where
  needed) and its output back. Host ops are plain C loops with the arithmetic of gemmforge's host
  kernels (float32, round half to even). The DRAM arena is one static array of ${f.arenaBytes}
  bytes laid out by gemmforge's planner.
- \`weights.c\`, \`weights.h\`: the constants; accelerator weights are already packed for their
  layer's mapping and copied into the arena once.
- \`gf_runtime.h\`: on RISC-V each instruction is a RoCC \`.insn\`; on any other host it is a trace
  line \`funct rs1 rs2\` (DRAM addresses then start at a fixed base), and the layers' integer
  reference computes what the accelerator would, so the outputs are the model's.
- \`main.c\`: reads the inputs, runs the model, prints the outputs and the simulated cycles.

\`make riscv\` compiles model.c and weights.c freestanding (Debian's bare-metal compiler has no C
library) into objects: link them with your platform's startup code and a \`main\`, and with libm
where host ops call exp, pow or tanh.
`;
}
