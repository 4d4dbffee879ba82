/**
 * Sidebar entries read from a folder of Markdown pages (measurement pages written by other
 * tools appear without editing the config).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One sidebar link.
 *
 * @example
 * ```ts
 * const l: SidebarLink = { text: 'Perplexity', link: '/measurements/perplexity' };
 * ```
 */
export interface SidebarLink {
  text: string;
  link: string;
}

/**
 * The title of a Markdown page: frontmatter `title:`, else its first `# ` heading, else the
 * file name.
 *
 * @param text - the page source
 * @param fallback - used when neither exists
 * @returns the title
 * @example
 * ```ts
 * pageTitle('# Hello\n', 'x'); // 'Hello'
 * ```
 */
export function pageTitle(text: string, fallback: string): string {
  const fm = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  const t = fm ? /^title:\s*['"]?(.+?)['"]?\s*$/m.exec(fm[1]!) : null;
  if (t) return t[1]!;
  const h = /^#\s+(.+?)\s*$/m.exec(text);
  return h ? h[1]! : fallback;
}

/**
 * Links to every `*.md` page of a folder (sorted by file name; `index.md` first).
 *
 * @param dir - the folder on disk
 * @param route - its route prefix (e.g. `/measurements/`)
 * @returns the links (empty when the folder is absent)
 * @example
 * ```ts
 * markdownLinks('pages/measurements', '/measurements/');
 * ```
 */
export function markdownLinks(dir: string, route: string): SidebarLink[] {
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort((a, b) => (a === 'index.md' ? -1 : b === 'index.md' ? 1 : a.localeCompare(b)));
  return names.map((f) => {
    const base = f.slice(0, -3);
    return {
      text: pageTitle(readFileSync(join(dir, f), 'utf8'), base),
      link: base === 'index' ? route : `${route}${base}`,
    };
  });
}
