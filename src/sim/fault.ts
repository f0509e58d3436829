/**
 * A fault raised while simulating one instruction: a bad address, a read of never-written memory, an
 * instruction the configuration lacks. The simulator turns it into a SimulationError that names the
 * instruction index and the decoded instruction.
 */
export class Fault extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'Fault';
  }
}

export function fault(reason: string): never {
  throw new Fault(reason);
}
