import { describe, expect, it } from 'vitest';
import { throwIfAborted } from './abort';
import { CalderaError, describeValue, isCalderaError } from './error';

describe('CalderaError', () => {
  it('keeps code, message, cause and details', () => {
    const cause = new Error('low level');
    const e = new CalderaError('SHAPE_MISMATCH', 'bad shape [2,3]', {
      cause,
      details: { shape: [2, 3] },
    });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('CalderaError');
    expect(e.code).toBe('SHAPE_MISMATCH');
    expect(e.message).toBe('bad shape [2,3]');
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ shape: [2, 3] });
  });

  it('is recognised by isCalderaError, by code', () => {
    const e = new CalderaError('ABORTED', 'x');
    expect(isCalderaError(e)).toBe(true);
    expect(isCalderaError(e, 'ABORTED')).toBe(true);
    expect(isCalderaError(e, 'INTERNAL')).toBe(false);
    expect(isCalderaError(new Error('x'))).toBe(false);
  });

  it('describes values briefly', () => {
    expect(describeValue('abc')).toBe('"abc"');
    expect(describeValue(12n)).toBe('12n');
    expect(describeValue(Number.NaN)).toBe('NaN');
    expect(describeValue('x'.repeat(200)).length).toBe(80);
  });

  it('throwIfAborted throws ABORTED only when aborted', () => {
    const ac = new AbortController();
    expect(() => throwIfAborted(ac.signal)).not.toThrow();
    ac.abort('stop');
    expect(() => throwIfAborted(ac.signal, 'compress')).toThrowError(/compress was aborted/);
    try {
      throwIfAborted(ac.signal);
    } catch (e) {
      expect(isCalderaError(e, 'ABORTED')).toBe(true);
    }
  });
});
