import type { Dram } from '../../sim/dram.js';
import { fault } from '../../sim/fault.js';
import type { Spec } from '../../spec/spec.js';
import { formatFields } from '../../contract/isa.js';
import { Mem, vtaConfig, type Instr } from './instr.js';

/**
 * VTA's state: the INP/WGT/ACC/UOP buffers, and the three modules (load, compute, store) with their
 * command queues and the four dependency-token queues between them (docs/vta.md §4). `execute` enqueues an
 * instruction on its module, then runs every module greedily until each is empty or blocked on a
 * pop, as fsim does; so a missing token shows as wrong data or a blocked module, and `endOfStream`
 * reports a blocked module (deadlock), a token never popped, and a missing FINISH by name.
 */
export type VtaMachine = ReturnType<typeof createMachine>;

export const Module = { load: 0, compute: 1, store: 2 } as const;
const moduleNames = ['load', 'compute', 'store'];
export const Token = { l2c: 0, c2l: 1, c2s: 2, s2c: 3 } as const;
const tokenNames = ['load→compute', 'compute→load', 'compute→store', 'store→compute'];

export function createMachine(spec: Spec, dram: Dram, functional: boolean) {
  const cfg = vtaConfig(spec);
  const b = cfg.block;
  const d = cfg.depth;
  const size = (n: number): number => (functional ? n : 0);
  return {
    cfg,
    functional,
    dram,
    inp: new Int8Array(size(d.inp * b)),
    wgt: new Int8Array(size(d.wgt * b * b)),
    acc: new Int32Array(size(d.acc * b)),
    /** Micro-ops, decoded (also in timing-only runs: timing reads their index ranges). */
    uopDst: new Int32Array(d.uop),
    uopSrc: new Int32Array(d.uop),
    uopWgt: new Int32Array(d.uop),
    /** Per memory type (uop, wgt, inp, acc, out, acc8): entries, bytes of a DRAM entry, and the
     * buffer's index in the spec's memory order (the timing engine's numbering). */
    depthOf: [d.uop, d.wgt, d.inp, d.acc, d.acc, d.acc],
    bytesOf: [4, b * b, b, 4 * b, b, b],
    memOf: ['uop', 'wgt', 'inp', 'acc', 'acc', 'acc'].map((n) =>
      Object.keys(spec.memories).indexOf(n),
    ),
    dramLatency: spec.dram.latencyCycles,
    gemmFill: spec.array.pipelineLatencyCycles,
    /** Pending instructions per module (load, compute, store), with what each does, and each
     * queue's head. */
    queues: [[], [], []] as Queued[][],
    heads: new Int32Array(3),
    /** Tokens waiting in L→C, C→L, C→S, S→C. */
    tokens: new Int32Array(4),
    /** Set once FINISH has executed. */
    finished: false,
  };
}

/** What an instruction does when its module runs it (semantics.ts). */
export type Run = (i: Instr, m: VtaMachine) => void;
export interface Queued {
  readonly instr: Instr;
  readonly run: Run;
}

function describe(m: VtaMachine, i: Instr): string {
  return formatFields(i.kind, m.cfg.fields[i.kind], i);
}

/** The module an instruction runs on (docs/vta.md §3, routing). */
export function moduleOf(i: Instr): number {
  if (i.kind === 'store') return Module.store;
  if (i.kind === 'load' && (i.memType === Mem.inp || i.memType === Mem.wgt)) return Module.load;
  return Module.compute;
}

/** The token queue each flag pops from or pushes to, per module; -1: the flag must be 0. */
const queueOf = {
  popPrev: [-1, Token.l2c, Token.c2s],
  popNext: [Token.c2l, Token.s2c, -1],
  pushPrev: [-1, Token.c2l, Token.s2c],
  pushNext: [Token.l2c, Token.c2s, -1],
} as const;

/** The token a module's next instruction waits for, or -1 when it can run. */
function waitsFor(m: VtaMachine, u: number, i: Instr): number {
  if (i.popPrev && m.tokens[queueOf.popPrev[u]] === 0) return queueOf.popPrev[u];
  return i.popNext && m.tokens[queueOf.popNext[u]] === 0 ? queueOf.popNext[u] : -1;
}

function runOne(m: VtaMachine, u: number, { instr: i, run }: Queued): void {
  if (m.finished) fault(`${describe(m, i)} runs after FINISH (fsim stops at FINISH)`);
  if (i.popPrev) m.tokens[queueOf.popPrev[u]]--;
  if (i.popNext) m.tokens[queueOf.popNext[u]]--;
  run(i, m);
  if (i.pushPrev) m.tokens[queueOf.pushPrev[u]]++;
  if (i.pushNext) m.tokens[queueOf.pushNext[u]]++;
}

/**
 * Enqueues an instruction and what it does on its module, and runs the modules until each is empty
 * or blocked.
 */
export function dispatch(m: VtaMachine, i: Instr, run: Run): void {
  const u = moduleOf(i);
  for (const f of ['popPrev', 'popNext', 'pushPrev', 'pushNext'] as const) {
    if (i[f] && queueOf[f][u] < 0) fault(`${f} must be 0 on the ${moduleNames[u]} module`);
  }
  m.queues[u].push({ instr: i, run });
  for (let progress = true; progress;) {
    progress = false;
    for (let v = 0; v < 3; v++) {
      const q = m.queues[v];
      while (m.heads[v] < q.length && waitsFor(m, v, q[m.heads[v]].instr) < 0) {
        runOne(m, v, q[m.heads[v]++]);
        progress = true;
      }
      if (m.heads[v] === q.length) q.length = m.heads[v] = 0;
    }
  }
}

/** After the last instruction: nothing blocked (deadlock), no token left over, FINISH ran. */
export function endOfStream(m: VtaMachine): void {
  const blocked = m.queues.flatMap((q, u) => {
    if (m.heads[u] >= q.length) return [];
    const i = q[m.heads[u]].instr;
    return [
      `the ${moduleNames[u]} module waits forever for a ${tokenNames[waitsFor(m, u, i)]} token at ` +
        `"${describe(m, i)}" (${q.length - m.heads[u]} instructions never run)`,
    ];
  });
  if (blocked.length > 0) fault(`deadlock: ${blocked.join('; ')}`);
  const left = [...m.tokens].flatMap((n, t) => (n > 0 ? [`${n} ${tokenNames[t]}`] : []));
  if (left.length > 0) fault(`token leak: pushed but never popped: ${left.join(', ')}`);
  if (!m.finished) fault('missing FINISH: the stream must end with FINISH (fsim would hang)');
}
