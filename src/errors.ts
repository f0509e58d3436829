/**
 * The error classes every layer throws. Each carries a stable `code` and the process exit status the CLI
 * uses: 2 for bad input, 1 for a check that ran and failed, 70 for a broken invariant of our own.
 */
export abstract class GemmforgeError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: number;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A spec (built-in or a user's file) with one or more bad fields. */
export class SpecError extends GemmforgeError {
  readonly code = 'SPEC_INVALID';
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly problems: readonly { readonly path: string; readonly message: string }[],
  ) {
    super(`${file}: invalid spec\n` + problems.map((p) => `  ${p.path}: ${p.message}`).join('\n'));
  }
}

/** A model that decodes but is wrong or unsupported at one node: names the node and its op type. */
export class ModelError extends GemmforgeError {
  readonly code = 'MODEL_INVALID';
  readonly exitCode = 2;
  constructor(
    readonly nodeName: string,
    readonly opType: string,
    readonly reason: string,
  ) {
    super(`node '${nodeName}' (${opType}): ${reason}`);
  }
}

/** Something the user asked for that gemmforge does not do (an op, an instruction, a feature). */
export class UnsupportedError extends GemmforgeError {
  readonly code = 'UNSUPPORTED';
  readonly exitCode = 2;
  constructor(
    readonly what: string,
    readonly reason: string,
  ) {
    super(`${what}: ${reason}`);
  }
}

/** Bad input that is neither a spec nor a model: a malformed argument, a missing file. */
export class InputError extends GemmforgeError {
  readonly code = 'BAD_INPUT';
  readonly exitCode = 2;
}

/**
 * An instruction stream that the simulator refused: an out-of-range address, a read of never-written
 * memory, a DRAM access outside every allocation. Names the instruction index and the decoded instruction.
 */
export class SimulationError extends GemmforgeError {
  readonly code = 'SIM_FAULT';
  readonly exitCode = 1;
  constructor(
    readonly index: number,
    readonly instruction: string,
    readonly reason: string,
  ) {
    super(`instruction ${index} (${instruction}): ${reason}`);
  }
}

/** A check that ran and failed: an output that differs from its reference. */
export class CheckFailedError extends GemmforgeError {
  readonly code = 'CHECK_FAILED';
  readonly exitCode = 1;
}

/** A broken invariant inside gemmforge itself. */
export class InternalError extends GemmforgeError {
  readonly code = 'INTERNAL';
  readonly exitCode = 70;
}
