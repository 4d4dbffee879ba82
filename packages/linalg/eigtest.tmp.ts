import { Rng } from '@caldera/core';
import { symmetricEigen, qr } from './src/decomp/index';
for (const n of [5, 100, 512, 1024]) {
  const rng = new Rng(1);
  const b = rng.fillGaussian(new Float64Array(n * n));
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = b[i * n + j]! + b[j * n + i]!;
  const t = performance.now();
  const { values, vectors } = symmetricEigen(a, n);
  const dt = performance.now() - t;
  let res = 0;
  for (let j = 0; j < Math.min(n, 20); j++) for (let i = 0; i < n; i++) {
    let s = 0; for (let k = 0; k < n; k++) s += a[i * n + k]! * vectors[k * n + j]!;
    res = Math.max(res, Math.abs(s - values[j]! * vectors[i * n + j]!));
  }
  console.log(n, dt.toFixed(0), 'ms', 'resid', res);
}
const m = 4096, k = 266; const rng = new Rng(2); const y = rng.fillGaussian(new Float32Array(m * k));
let t = performance.now(); const r = qr(y, m, k); console.log('qr f32 4096x266', (performance.now() - t).toFixed(0), 'ms');
const y64 = Float64Array.from(y); t = performance.now(); qr(y64, m, k); console.log('qr f64', (performance.now() - t).toFixed(0), 'ms');
let err = 0; for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) { let s = 0; for (let p = 0; p < m; p++) s += r.q[p * k + i]! * r.q[p * k + j]!; err = Math.max(err, Math.abs(s - (i === j ? 1 : 0))); } console.log('orth err', err);
