import { GemmforgeError } from '../../errors.js';

/**
 * A model that is well-formed protobuf but wrong or unsupported at one node. Names node and op
 * type.
 */
export class ModelError extends GemmforgeError {
  readonly code = 'MODEL_INVALID';
  readonly exitCode = 2;
  constructor(
    readonly nodeName: string,
    readonly opType: string,
    readonly reason: string,
  ) {
    super(`node '${nodeName}' (${opType}): ${reason}`);
    this.name = 'ModelError';
  }
}
