// Serves the built site (pages/.vitepress/dist) with the COOP/COEP headers the playground's
// threads need. Usage: node --import tsx scripts/preview.ts [port]
import { fileURLToPath } from 'node:url';
import { serveSite } from '../src/site/static-server';

const dist = fileURLToPath(new URL('../pages/.vitepress/dist', import.meta.url));
const port = Number(process.argv[2] ?? 4173);
const base = process.env.CALDERA_DOCS_BASE ?? '/';
await serveSite(dist, port, base);
console.log(`caldera docs (built site) at http://127.0.0.1:${port}${base} — cross-origin isolated`);
