/**
 * The plot of `caldera sweep`: perplexity (log scale) against bits per parameter, one line per
 * method and a dashed reference line for the float model, as standalone SVG text.
 */

/**
 * One point of a sweep plot.
 *
 * @example
 * ```ts
 * const p: SweepPoint = { series: 'caldera', bpp: 2.4, ppl: 21.3 };
 * ```
 */
export interface SweepPoint {
  series: string;
  bpp: number;
  ppl: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const W = 640;
const H = 420;
const M = { left: 70, right: 150, top: 30, bottom: 55 };

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(3);
}

/**
 * Renders a sweep as SVG: x = bits per parameter (linear), y = perplexity (log scale), one
 * `<polyline>` per series (points sorted by bits), the float model as a dashed horizontal line.
 *
 * @param points - the compressed runs (non-finite perplexities are left out)
 * @param floatPpl - perplexity of the float model (no reference line when not finite)
 * @param title - the plot title
 * @param xLabel - the x-axis label (default: bits per parameter of the compressed layers)
 * @returns the SVG document text
 * @example
 * ```ts
 * const svg = sweepSvg([{ series: 'rtn', bpp: 2.1, ppl: 40 }], 17, 'pycode-6m');
 * svg.startsWith('<svg'); // true
 * ```
 */
export function sweepSvg(
  points: readonly SweepPoint[],
  floatPpl: number,
  title: string,
  xLabel = 'bits per parameter (compressed linear layers)',
): string {
  const pts = points.filter((p) => Number.isFinite(p.ppl) && p.ppl > 0 && Number.isFinite(p.bpp));
  const ys = pts.map((p) => p.ppl);
  if (Number.isFinite(floatPpl) && floatPpl > 0) ys.push(floatPpl);
  const xs = pts.map((p) => p.bpp);
  let x0 = xs.length ? Math.min(...xs) : 0;
  let x1 = xs.length ? Math.max(...xs) : 1;
  if (x1 - x0 < 1e-9) {
    x0 -= 0.5;
    x1 += 0.5;
  }
  const pad = 0.05 * (x1 - x0);
  x0 -= pad;
  x1 += pad;
  let ly0 = Math.log10(ys.length ? Math.min(...ys) : 1);
  let ly1 = Math.log10(ys.length ? Math.max(...ys) : 10);
  if (ly1 - ly0 < 1e-6) {
    ly0 -= 0.1;
    ly1 += 0.1;
  }
  const ypad = 0.05 * (ly1 - ly0);
  ly0 -= ypad;
  ly1 += ypad;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) => M.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => M.top + ph - ((Math.log10(y) - ly0) / (ly1 - ly0)) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left + pw / 2}" y="18" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
  ];
  const digits = Math.min(4, Math.max(0, Math.ceil(-Math.log10((x1 - x0) / 5)) + 1));
  for (let i = 0; i <= 5; i++) {
    const x = x0 + ((x1 - x0) * i) / 5;
    const px = sx(x).toFixed(1);
    out.push(
      `<line x1="${px}" y1="${M.top + ph}" x2="${px}" y2="${M.top + ph + 5}" stroke="#333"/>`,
      `<text x="${px}" y="${M.top + ph + 18}" text-anchor="middle">${x.toFixed(digits)}</text>`,
    );
  }
  for (let i = 0; i <= 5; i++) {
    const y = 10 ** (ly0 + ((ly1 - ly0) * i) / 5);
    const py = sy(y).toFixed(1);
    out.push(
      `<line x1="${M.left - 5}" y1="${py}" x2="${M.left}" y2="${py}" stroke="#333"/>`,
      `<line x1="${M.left}" y1="${py}" x2="${M.left + pw}" y2="${py}" stroke="#eee"/>`,
      `<text x="${M.left - 8}" y="${py}" text-anchor="end" dominant-baseline="middle">${fmt(Number(y.toPrecision(3)))}</text>`,
    );
  }
  out.push(
    `<text x="${M.left + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text x="18" y="${M.top + ph / 2}" text-anchor="middle" transform="rotate(-90 18 ${M.top + ph / 2})">perplexity (log scale)</text>`,
  );
  const series = [...new Set(pts.map((p) => p.series))];
  const legend: string[] = [];
  series.forEach((name, i) => {
    const color = COLORS[i % COLORS.length]!;
    const sp = pts.filter((p) => p.series === name).sort((a, b) => a.bpp - b.bpp || a.ppl - b.ppl);
    const coords = sp.map((p) => `${sx(p.bpp).toFixed(1)},${sy(p.ppl).toFixed(1)}`);
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${coords.join(' ')}"/>`,
    );
    for (const c of coords) {
      const [cx, cy] = c.split(',');
      out.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${color}"/>`);
    }
    const ly = M.top + 12 + 20 * i;
    legend.push(
      `<line x1="${W - M.right + 12}" y1="${ly}" x2="${W - M.right + 36}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${W - M.right + 42}" y="${ly}" dominant-baseline="middle">${esc(name)}</text>`,
    );
  });
  if (Number.isFinite(floatPpl) && floatPpl > 0) {
    const py = sy(floatPpl).toFixed(1);
    const ly = M.top + 12 + 20 * series.length;
    out.push(
      `<line x1="${M.left}" y1="${py}" x2="${M.left + pw}" y2="${py}" stroke="#555" stroke-dasharray="6 4"/>`,
    );
    legend.push(
      `<line x1="${W - M.right + 12}" y1="${ly}" x2="${W - M.right + 36}" y2="${ly}" stroke="#555" stroke-dasharray="6 4"/>`,
      `<text x="${W - M.right + 42}" y="${ly}" dominant-baseline="middle">float (${fmt(Number(floatPpl.toPrecision(4)))})</text>`,
    );
  }
  out.push(...legend, '</svg>', '');
  return out.join('\n');
}
