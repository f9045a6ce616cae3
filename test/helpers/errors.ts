import { UsageError } from '../../src/core/errors';

/** Runs `fn`, expecting it to throw a UsageError (exit 2), and returns the error. */
export function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}
