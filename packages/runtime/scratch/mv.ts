import { matvecRows } from '../src/kernels/matvec';
import { sgemv, sgemm } from '@caldera/linalg';
const m = 4096, n = 256;
const w = new Float32Array(m * n).map(() => Math.random());
const x = new Float32Array(n).map(() => Math.random());
const y = new Float32Array(m);
for (const [name, f] of [['matvec', () => matvecRows(w, m, n, x, 1, y)], ['sgemv', () => sgemv('N', m, n, 1, w, n, x, 1, 0, y, 1)], ['sgemm1', () => sgemm('N', 'T', 1, m, n, 1, x, n, w, n, 0, y, m)]] as const) {
  for (let k = 0; k < 20; k++) f();
  const t = performance.now();
  for (let k = 0; k < 200; k++) f();
  const dt = (performance.now() - t) / 200;
  console.log(name, dt.toFixed(3), 'ms', (2 * m * n / dt / 1e6).toFixed(2), 'GFLOP/s');
}
const rows = 64; const X = new Float32Array(rows * n).map(() => Math.random()); const Y = new Float32Array(rows * m);
for (let k = 0; k < 5; k++) sgemm('N', 'T', rows, m, n, 1, X, n, w, n, 0, Y, m);
let t = performance.now();
for (let k = 0; k < 20; k++) sgemm('N', 'T', rows, m, n, 1, X, n, w, n, 0, Y, m);
let dt = (performance.now() - t) / 20; console.log('sgemm64', dt.toFixed(3), (2 * rows * m * n / dt / 1e6).toFixed(2), 'GFLOP/s');
t = performance.now();
for (let k = 0; k < 20; k++) matvecRows(w, m, n, X, rows, Y);
dt = (performance.now() - t) / 20; console.log('matvec64', dt.toFixed(3), (2 * rows * m * n / dt / 1e6).toFixed(2), 'GFLOP/s');
