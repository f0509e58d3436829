/**
 * The C runtime a target's header includes on a host without the accelerator: every instruction is a
 * trace line "funct rs1 rs2" (decimal funct, the two registers as 0x and 16 hex digits; a target with
 * wider words gives their low and high halves) in the file named by GF_TRACE or given to
 * gf_trace_init, else on stdout (after gf_trace_init(NULL), nowhere), so a program's C can be
 * checked against the interpreter (src/program/interpret.ts) without hardware. It defines GF_TRACE_MODE, gf_trace_word, gf_fence
 * (a "fence" line) and gf_bad_field (src/emit/c.ts calls it when a value does not fit its field).
 */
export const cTraceRuntime = `#define GF_TRACE_MODE 1
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static FILE *gf_trace_file;
static int gf_trace_off;

/* Starts the trace in the file at path (truncated); a NULL path turns the trace off. */
static inline void gf_trace_init(const char *path) {
  if (gf_trace_file != NULL && gf_trace_file != stdout) fclose(gf_trace_file);
  gf_trace_file = NULL;
  gf_trace_off = path == NULL;
  if (gf_trace_off) return;
  gf_trace_file = fopen(path, "w");
  if (gf_trace_file == NULL) {
    perror(path);
    exit(EXIT_FAILURE);
  }
}

/* Ends the trace: flushes and closes its file. */
static inline void gf_trace_close(void) {
  if (gf_trace_file != NULL && gf_trace_file != stdout) fclose(gf_trace_file);
  gf_trace_file = NULL;
}

/* The trace: as gf_trace_init chose, else the file named by GF_TRACE, else stdout; NULL if off. */
static inline FILE *gf_trace(void) {
  if (gf_trace_file == NULL && !gf_trace_off) {
    const char *path = getenv("GF_TRACE");
    if (path != NULL && path[0] != '\\0') gf_trace_init(path);
    else gf_trace_file = stdout;
  }
  return gf_trace_file;
}

static inline void gf_trace_word(unsigned funct, uint64_t rs1, uint64_t rs2) {
  FILE *f = gf_trace();
  if (f != NULL) fprintf(f, "%u 0x%016" PRIx64 " 0x%016" PRIx64 "\\n", funct, rs1, rs2);
}
static inline void gf_fence(void) {
  FILE *f = gf_trace();
  if (f != NULL) fputs("fence\\n", f);
}
static inline void gf_bad_field(const char *where, int64_t value) {
  fprintf(stderr, "gemmforge: %s = %" PRId64 " does not fit its field\\n", where, value);
  abort();
}`;
