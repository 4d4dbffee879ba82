/**
 * Calibration statistics on disk, as safetensors: for every accumulator key `K`, the F64
 * tensors `K.sum_outer` (n × n, the full symmetric Σ xxᵀ) and `K.sum` (n, Σ x). The
 * `__metadata__` holds `format` = `caldera-calibration`, `format_version` = `1`, the row
 * counts per key (`counts`, JSON), `windows`, `tokens` and the model `config` (JSON). Sums,
 * not averages, are stored so that a run can resume accumulating exactly.
 */
import { CalderaError, describeValue } from '@caldera/core';
import { type LlamaConfig, SafetensorsFile, writeSafetensorsFile } from '@caldera/io';
import { CalibrationStats } from './calibration-stats';
import { MomentAccumulator } from './moment-accumulator';

/**
 * The `format` metadata value of calibration files.
 *
 * @example
 * ```ts
 * (await SafetensorsFile.open('calib.safetensors')).metadata.format === CALIBRATION_FORMAT; // true
 * ```
 */
export const CALIBRATION_FORMAT = 'caldera-calibration';

/**
 * The current calibration file version (`format_version` metadata).
 *
 * @example
 * ```ts
 * CALIBRATION_FORMAT_VERSION; // 1
 * ```
 */
export const CALIBRATION_FORMAT_VERSION = 1;

/**
 * Writes statistics atomically (nothing is left at `path` on failure).
 *
 * @param path - the output file
 * @param stats - the statistics
 * @returns a promise resolved once the file is in place
 * @throws CalderaError `FILE_WRITE_FAILED`
 * @example
 * ```ts
 * await saveCalibration('calib.safetensors', stats);
 * ```
 */
export async function saveCalibration(path: string, stats: CalibrationStats): Promise<void> {
  const counts: Record<string, number> = {};
  const entries = [];
  for (const [key, acc] of stats.entries) {
    counts[key] = acc.count;
    entries.push({
      name: `${key}.sum_outer`,
      dtype: 'F64' as const,
      shape: [acc.n, acc.n],
      data: () => acc.fullSumOuter(),
    });
    entries.push({ name: `${key}.sum`, dtype: 'F64' as const, shape: [acc.n], data: acc.sum });
  }
  await writeSafetensorsFile(path, entries, {
    metadata: {
      format: CALIBRATION_FORMAT,
      format_version: String(CALIBRATION_FORMAT_VERSION),
      counts: JSON.stringify(counts),
      windows: String(stats.windows),
      tokens: String(stats.tokens),
      config: JSON.stringify(stats.config),
    },
  });
}

function f64(raw: Uint8Array): Float64Array {
  const copy = raw.slice();
  return new Float64Array(copy.buffer, 0, copy.byteLength / 8);
}

/**
 * Reads statistics written by {@link saveCalibration}.
 *
 * @param path - the file
 * @returns the statistics, ready to query or to resume
 * @throws CalderaError `CALIBRATION_FORMAT` for another format or a newer version; io's
 *   `FILE_NOT_FOUND` / `FILE_READ_FAILED` / `SAFETENSORS_*` codes
 * @example
 * ```ts
 * const stats = await loadCalibration('calib.safetensors');
 * stats.inputMoment(0, 'qkv');
 * ```
 */
export async function loadCalibration(path: string): Promise<CalibrationStats> {
  const file = await SafetensorsFile.open(path);
  try {
    const md = file.metadata;
    if (md.format !== CALIBRATION_FORMAT) {
      throw new CalderaError(
        'CALIBRATION_FORMAT',
        `${path} is not a calibration file (format ${describeValue(md.format)})`,
      );
    }
    const version = Number(md.format_version);
    if (version !== CALIBRATION_FORMAT_VERSION) {
      throw new CalderaError(
        'CALIBRATION_FORMAT',
        `${path} has calibration format version ${describeValue(md.format_version)}; this build reads ${CALIBRATION_FORMAT_VERSION}`,
      );
    }
    let counts: Record<string, number>;
    let config: LlamaConfig;
    try {
      counts = JSON.parse(md.counts ?? '{}');
      config = JSON.parse(md.config ?? 'null');
    } catch (cause) {
      throw new CalderaError('CALIBRATION_FORMAT', `${path} has unreadable calibration metadata`, {
        cause,
      });
    }
    const stats = new CalibrationStats(config);
    stats.windows = Number(md.windows ?? 0);
    stats.tokens = Number(md.tokens ?? 0);
    for (const [key, count] of Object.entries(counts)) {
      const info = file.tensor(`${key}.sum`);
      if (info.dtype !== 'F64' || info.shape.length !== 1) {
        throw new CalderaError(
          'CALIBRATION_FORMAT',
          `${path}: ${key}.sum is ${info.dtype} ${JSON.stringify(info.shape)}, expected a F64 vector`,
        );
      }
      const n = info.shape[0]!;
      const acc = new MomentAccumulator(n, {
        sumOuter: f64(await file.readRaw(`${key}.sum_outer`)),
        sum: f64(await file.readRaw(`${key}.sum`)),
        count,
      });
      stats.entries.set(key, acc);
    }
    return stats;
  } finally {
    await file.close();
  }
}
