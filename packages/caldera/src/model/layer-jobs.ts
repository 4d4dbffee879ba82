/**
 * The layers a plan compresses (one job per projection weight, in the source's order) and the
 * input Hessians they need, computed on demand and cached for a few input sites only.
 */
import { CalderaError } from '@caldera/core';
import type { ModelSource } from '@caldera/io';
import {
  type CalibrationStats,
  type InputSite,
  inputSiteOf,
  type LinearName,
} from '@caldera/runtime';
import { type CompressionPlan, type LayerSettings, resolveLayer } from './plan';

/**
 * One weight to compress.
 *
 * @example
 * ```ts
 * const j: LayerJob = { name: 'model.layers.0.mlp.up_proj.weight', layer: 0, site: 'mlp',
 *   m: 688, n: 256, settings: { method: 'caldera', rank: 16 } };
 * ```
 */
export interface LayerJob {
  name: string;
  layer: number;
  site: InputSite;
  m: number;
  n: number;
  settings: LayerSettings;
}

const LINEAR_RE =
  /^model\.layers\.(\d+)\.(?:self_attn|mlp)\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)\.weight$/;

/**
 * The jobs of a plan over a model: every projection of every block that the plan does not
 * keep, in the order of the source's tensor list.
 *
 * @param source - the model
 * @param plan - the plan
 * @returns the jobs
 * @throws CalderaError `INVALID_OPTIONS` for a bad rule pattern
 * @example
 * ```ts
 * collectJobs(source, { defaults: { method: 'rtn' } }).length; // 7 × layers
 * ```
 */
export function collectJobs(
  source: Pick<ModelSource, 'tensors'>,
  plan: CompressionPlan,
): LayerJob[] {
  const jobs: LayerJob[] = [];
  for (const t of source.tensors()) {
    const match = LINEAR_RE.exec(t.name);
    if (!match) continue;
    const settings = resolveLayer(plan, t.name);
    if (settings === 'keep') continue;
    jobs.push({
      name: t.name,
      layer: Number(match[1]),
      site: inputSiteOf(match[2] as LinearName),
      m: t.shape[0]!,
      n: t.shape[1]!,
      settings,
    });
  }
  return jobs;
}

/**
 * The input Hessians of a calibration, computed when first asked for and kept for the last
 * `capacity` input sites only (jobs of one site are adjacent, so a capacity of the number of
 * layers in flight plus one computes each Hessian once).
 *
 * @param stats - the calibration statistics
 * @param capacity - how many Hessians to keep (≥ 1)
 * @returns a lookup by block and input site
 * @throws CalderaError `MISSING_CALIBRATION` (from the lookup) when a site was not collected
 * @example
 * ```ts
 * const hessian = hessianCache(stats, 3);
 * const h = hessian(0, 'qkv');
 * ```
 */
export function hessianCache(
  stats: CalibrationStats,
  capacity: number,
): (layer: number, site: InputSite) => Float64Array {
  const cache = new Map<string, Float64Array>();
  return (layer, site) => {
    const key = `${layer}:${site}`;
    let h = cache.get(key);
    if (h !== undefined) {
      cache.delete(key);
      cache.set(key, h);
      return h;
    }
    try {
      h = stats.inputMoment(layer, site);
    } catch (cause) {
      throw new CalderaError(
        'MISSING_CALIBRATION',
        `the calibration has no Hessian for block ${layer}, input ${site}`,
        { cause, details: { layer, site } },
      );
    }
    cache.set(key, h);
    while (cache.size > Math.max(1, capacity)) cache.delete(cache.keys().next().value!);
    return h;
  };
}
