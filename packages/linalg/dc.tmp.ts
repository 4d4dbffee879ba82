import { Rng } from '@caldera/core';
import { tridiagonalDc } from './src/decomp/tridiagonal-dc';
for (const n of [10, 60, 100, 300, 1024]) {
  for (const kind of ['rand', 'wilk', 'const', 'glued']) {
  const rng = new Rng(n);
  const d = new Float64Array(n), e = new Float64Array(n);
  for (let i = 0; i < n; i++) { d[i] = kind === 'rand' ? rng.nextGaussian() : kind === 'wilk' ? Math.abs(i - (n - 1) / 2) : kind === 'const' ? 1 : (i % 20); e[i] = kind === 'rand' ? rng.nextGaussian() : kind === 'glued' && i % 20 === 19 ? 1e-10 : 1; }
  const t = performance.now();
  const { values, z } = tridiagonalDc(d, e);
  const dt = performance.now() - t;
  let res = 0, orth = 0;
  for (let j = 0; j < n; j += Math.max(1, Math.floor(n / 50))) {
    for (let i = 0; i < n; i++) {
      let s = d[i]! * z[i * n + j]!; if (i > 0) s += e[i - 1]! * z[(i - 1) * n + j]!; if (i < n - 1) s += e[i]! * z[(i + 1) * n + j]!;
      res = Math.max(res, Math.abs(s - values[j]! * z[i * n + j]!));
    }
    for (let j2 = 0; j2 < n; j2++) { let s = 0; for (let i = 0; i < n; i++) s += z[i * n + j]! * z[i * n + j2]!; orth = Math.max(orth, Math.abs(s - (j === j2 ? 1 : 0))); }
  }
  console.log(n, kind, dt.toFixed(0), 'ms res', res.toExponential(2), 'orth', orth.toExponential(2));
}}
