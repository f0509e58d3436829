/**
 * C runtime pieces a target's header includes when built for the device itself, the counterpart of
 * the host's trace mode (c_trace.ts): the trace functions emitted programs call, as no-ops, and an
 * instruction queue for accelerators that fetch their instructions from memory.
 */

/** gf_trace_init and gf_trace_close as no-ops; gf_bad_field traps (src/emit/c.ts calls it). */
export const cDeviceNoTrace = `static inline void gf_trace_init(const char *path) { (void)path; }
static inline void gf_trace_close(void) {}
static inline void gf_bad_field(const char *where, int64_t value) {
  (void)where;
  (void)value;
  __builtin_trap();
}`;

/**
 * An instruction queue in memory for an accelerator that fetches 128-bit instructions itself: each
 * instruction's low and high 64-bit words are appended in order by `<prefix>_insn(lo, hi)`, and
 * gf_fence() hands the queue to `<prefix>_device_run(words, count)`, which the board's support code
 * supplies (`runs` says what it does), then empties it. The queue holds `<PREFIX>_QUEUE_INSNS`
 * instructions (65536 unless defined); one more traps. Ends with cDeviceNoTrace.
 */
export function cInstrQueue(prefix: string, runs: string): string {
  const max = `${prefix.toUpperCase()}_QUEUE_INSNS`;
  const [queue, count] = [`${prefix}_queue`, `${prefix}_count`];
  return `#include <stddef.h>
/* Supplied by the board's support code: ${runs}. */
void ${prefix}_device_run(const uint64_t *words, size_t count);
#ifndef ${max}
#define ${max} 65536
#endif
static uint64_t ${queue}[2 * ${max}];
static size_t ${count};
static inline void ${prefix}_insn(uint64_t lo, uint64_t hi) {
  if (${count} == ${max}) __builtin_trap(); /* raise ${max} */
  ${queue}[2 * ${count}] = lo;
  ${queue}[2 * ${count} + 1] = hi;
  ${count}++;
}
static inline void gf_fence(void) {
  if (${count} > 0) ${prefix}_device_run(${queue}, ${count});
  ${count} = 0;
}
${cDeviceNoTrace}`;
}
