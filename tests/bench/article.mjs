// The tracker-free article page the start benches load (tests/bench/peers/page.html, the page peers.mjs measures),
// shared by cpu.mjs and profile-load.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PEERS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'peers');
const PAGE = fs.readFileSync(path.join(PEERS, 'page.html'), 'utf8');

/** Sekisho in <head> as a site sets it up: the config, then `src` (the build's sekisho.js). */
export const sekishoHead = (src) => '<script type="application/json" id="sekisho-config">{"revision":1,"regime":"opt-in"}</script>'
  + `<script src="${src}"></script>`;

/** The page with `head` first in its <head> and `body` at the end of its <body>. */
export const articlePage = (head = '', body = '') => PAGE.replace('<!--bench:reporter-->', '')
  .replace('<!--cmp:head-->', () => head).replace('<!--cmp:body-->', () => body);

/** Serves the page's stylesheet and images under https://site.test/peers/site/ from the loopback `lb`. */
export function routeArticleAssets(lb, headers = {}) {
  lb.route('site.test', /^\/peers\/site\//, (req, u) => {
    const f = path.join(PEERS, 'site', path.basename(u.pathname));
    return fs.existsSync(f) ? { type: f.endsWith('.css') ? 'css' : 'svg', body: fs.readFileSync(f), headers } : null;
  });
}

/** A returning visitor's `sekisho` cookie value: everything accepted, a day ago. */
export const returningChoice = () => `1.bench.1.31.${Math.floor(Date.now() / 1000) - 86400}`;
