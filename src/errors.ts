// One error type per edge, so a caller (and a user reading the log) knows which stage failed.
// Each message says what failed, why, and what to do.

export class GateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A bad input, config file or baseline file: raised before any process starts. */
export class ConfigError extends GateError {}

/** The server could not be booted, never became ready, or died. */
export class ServerError extends GateError {
  /** Name of the target whose server failed, when known. */
  target?: string;
}

/** The load generator failed to produce a sample. */
export class LoadError extends GateError {}

/** The baseline or history could not be read or written. */
export class StoreError extends GateError {}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
