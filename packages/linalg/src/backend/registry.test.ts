import { isCalderaError } from '@caldera/core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { jsBackend } from './js-backend';
import {
  getBackend,
  getBackendByName,
  listBackends,
  registerBackend,
  setBackend,
} from './registry';

afterAll(() => {
  setBackend(undefined);
  vi.unstubAllEnvs();
});

describe('backend registry', () => {
  it('chooses wasm automatically where SIMD validates, and js on request', () => {
    setBackend(undefined);
    expect(listBackends()).toContain('js');
    expect(getBackend().name).toBe(listBackends()[0]);
    setBackend('js');
    expect(getBackend().name).toBe('js');
    setBackend(undefined);
  });

  it('unknown or unavailable backends give BACKEND_UNAVAILABLE', () => {
    try {
      setBackend('webgpu');
      expect.unreachable();
    } catch (e) {
      expect(isCalderaError(e, 'BACKEND_UNAVAILABLE')).toBe(true);
    }
    registerBackend('never', { ...jsBackend, name: 'never', isAvailable: () => false }, 100);
    expect(listBackends()).not.toContain('never');
    expect(() => setBackend('never')).toThrow(
      expect.objectContaining({ code: 'BACKEND_UNAVAILABLE' }),
    );
    expect(() => getBackendByName('nope')).toThrow(
      expect.objectContaining({ code: 'BACKEND_UNAVAILABLE' }),
    );
  });

  it('a registered higher-priority backend wins the automatic choice', () => {
    setBackend(undefined);
    registerBackend('js-top', { ...jsBackend, name: 'js-top' }, 50);
    expect(getBackend().name).toBe('js-top');
    registerBackend('js-top', { ...jsBackend, name: 'js-top' }, -1);
    expect(getBackend().name).not.toBe('js-top');
  });

  it('reads CALDERA_BACKEND once at initialization', async () => {
    vi.stubEnv('CALDERA_BACKEND', 'js');
    vi.resetModules();
    const fresh = await import('./registry');
    expect(fresh.getBackend().name).toBe('js');
    vi.stubEnv('CALDERA_BACKEND', 'bogus');
    vi.resetModules();
    const bad = await import('./registry');
    expect(() => bad.getBackend()).toThrow(
      expect.objectContaining({ code: 'BACKEND_UNAVAILABLE' }),
    );
  });
});
