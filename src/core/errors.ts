/** Exit codes of SPEC.md §4; every command maps its failures onto these. */
export const ExitCode = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  VERIFY_FAILED: 3,
  POLICY_FAILED: 4,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error meant for the user: what went wrong, an optional hint on how to fix it, an exit code. */
export class OriginError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.ERROR,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags, arguments or input (exit 2). */
export class UsageError extends OriginError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.USAGE, hint);
  }
}

/** The database cannot be used: missing, foreign, corrupt, newer, locked (exit 1). */
export class StoreError extends OriginError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.ERROR, hint);
  }
}

/** A root, hash, proof or chain does not match (exit 3). */
export class VerificationError extends OriginError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.VERIFY_FAILED, hint);
  }
}
