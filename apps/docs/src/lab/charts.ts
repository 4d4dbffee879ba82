/**
 * Pure drawing helpers of the playground: SVG polyline points for traces and spectra, and RGBA
 * pixels of a diverging heat map for residuals.
 */

/**
 * Maps a series to SVG polyline points in a `width`×`height` box (y grows downwards).
 *
 * @param values - the series (non-positive values are clamped on a log axis)
 * @param width - box width
 * @param height - box height
 * @param log - log10 y axis
 * @param range - shared [min, max] of the y axis (default the series' own)
 * @returns `"x,y x,y …"`
 * @example
 * ```ts
 * polyline([1, 0.5], 100, 50, false); // '0,0 100,50'
 * ```
 */
export function polyline(
  values: ArrayLike<number>,
  width: number,
  height: number,
  log: boolean,
  range?: [number, number],
): string {
  const f = (v: number) => (log ? Math.log10(Math.max(v, 1e-12)) : v);
  const ys = Array.from(values, f);
  const [lo, hi] = range ? [f(range[0]), f(range[1])] : [Math.min(...ys), Math.max(...ys)];
  const span = hi - lo || 1;
  const dx = ys.length > 1 ? width / (ys.length - 1) : 0;
  return ys
    .map((y, i) => `${+(i * dx).toFixed(2)},${+(((hi - y) / span) * height).toFixed(2)}`)
    .join(' ');
}

/**
 * RGBA pixels of a residual heat map (blue negative, white zero, red positive), scaled by the
 * largest |value| (or `scale`), box-averaged down to at most `maxW`×`maxH`.
 *
 * @param data - m×n row-major
 * @param m - rows
 * @param n - columns
 * @param maxW - most pixels across
 * @param maxH - most pixels down
 * @param scale - |value| mapped to full colour (default max |value|)
 * @returns the pixels and their width and height
 * @example
 * ```ts
 * const { pixels, width, height } = heatmapPixels(residual, 128, 256, 512, 512);
 * ctx.putImageData(new ImageData(pixels, width, height), 0, 0);
 * ```
 */
export function heatmapPixels(
  data: ArrayLike<number>,
  m: number,
  n: number,
  maxW: number,
  maxH: number,
  scale?: number,
): { pixels: Uint8ClampedArray; width: number; height: number; scale: number } {
  const sx = Math.max(1, Math.ceil(n / maxW));
  const sy = Math.max(1, Math.ceil(m / maxH));
  const width = Math.ceil(n / sx);
  const height = Math.ceil(m / sy);
  const cells = new Float64Array(width * height);
  const counts = new Float64Array(width * height);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const c = Math.floor(i / sy) * width + Math.floor(j / sx);
      cells[c] = cells[c]! + data[i * n + j]!;
      counts[c] = counts[c]! + 1;
    }
  }
  let s = scale ?? 0;
  if (!scale)
    for (let c = 0; c < cells.length; c++) s = Math.max(s, Math.abs(cells[c]! / counts[c]!));
  s ||= 1;
  const pixels = new Uint8ClampedArray(width * height * 4);
  for (let c = 0; c < cells.length; c++) {
    const t = Math.max(-1, Math.min(1, cells[c]! / counts[c]! / s));
    const a = Math.round(255 * (1 - Math.abs(t)));
    pixels[4 * c] = t < 0 ? a : 255;
    pixels[4 * c + 1] = a;
    pixels[4 * c + 2] = t > 0 ? a : 255;
    pixels[4 * c + 3] = 255;
  }
  return { pixels, width, height, scale: s };
}
