// The catalog's base layer: `catalog/base.json`, generated from the third-party-web data set (npm
// `third-party-web`, MIT, pinned in tests/package.json) — the entities of the categories Sekisho
// holds that the HTTP Archive crawl saw on real pages, their hosts, names and homepages, with third-party-web's categories mapped onto Sekisho's,
// and their cookie names from the Open Cookie Database (below).
// The curated layer (`catalog/vendors.json`) stays authoritative: build/catalog.rs drops every
// base host that a curated entry or a neutral CDN lists, or that is a parent of one.
//
//   node scripts/catalog-base.mjs           writes catalog/base.json (and catalog/third-party-web.LICENSE)
//   node scripts/catalog-base.mjs --check   fails when they are not what the pinned package gives
//
// The file is checked in, so that `cargo build` needs no npm; the test command runs `--check`.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const OUT = path.join(REPO, 'catalog', 'base.json');
const require = createRequire(path.join(REPO, 'tests', 'package.json'));
const pkgDir = path.dirname(require.resolve('third-party-web/package.json'));
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
// The entities seen on real pages (the HTTP Archive crawl third-party-web is built from), most seen
// first: the others cost every page bytes for requests no crawled page made.
const SUBSET = 'entities-httparchive.json';
const entities = JSON.parse(fs.readFileSync(path.join(pkgDir, 'dist', SUBSET), 'utf8'));
const copyright = fs.readFileSync(path.join(pkgDir, 'LICENSE'), 'utf8').split('\n').find((l) => l.startsWith('Copyright')) || '';

/** third-party-web category → Sekisho's (catalog/README.md "The base layer" says why). Absent: never held on its own. */
export const CATEGORIES = {
  ad: 'ads',
  analytics: 'analytics',
  social: 'sns',
  marketing: 'ads',
  'customer-success': 'functional',
  video: 'functional',
};
/** Never held on their own: what a page needs to work, or what only loads other tags. */
export const NEVER_HELD = ['cdn', 'hosting', 'utility', 'consent-provider', 'tag-manager', 'content', 'other'];

/** Hosts third-party-web gives a tracker that serve far more than it (a whole platform, a shared CDN): holding
 * them would hold that platform (Apple's affiliate tool is not all of apple.com). The tracker's own hosts stay. */
export const SHARED_HOSTS = [
  'apple.com', 'microsoft.com', 'msecnd.net', 'salesforce.com', 'yahoo.com',
  'cloudfront.net', 'amazonaws.com', 'akamaihd.net', 'akamaized.net', 'azureedge.net', 'fastly.net',
];

/** An id from a name: lower case ASCII letters, digits and '-', at most 40 bytes. */
function slug(name) {
  const s = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/&/g, ' and ').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return (s || 'service').slice(0, 40).replace(/-+$/, '');
}

const unknown = [...new Set(entities.map((e) => e.category))].filter((c) => !(c in CATEGORIES) && !NEVER_HELD.includes(c));
if (unknown.length) {
  console.error(`catalog-base: third-party-web ${pkg.version} has categories this script does not map: ${unknown.join(', ')}`);
  process.exit(1);
}

const used = new Set();
// A host two entities list stays with the first (third-party-web's own order: the more prominent one).
const claimed = new Set();
const services = [];
for (const e of entities) {
  const category = CATEGORIES[e.category];
  if (!category) continue;
  let id = slug(e.name);
  for (let n = 2; used.has(id); n++) id = `${slug(e.name).slice(0, 37)}-${n}`;
  used.add(id);
  // `*.host` and `host` both mean the host and its subdomains here (a superset: the matcher's rule).
  const hosts = [...new Set(e.domains.map((d) => d.replace(/^\*\./, '').toLowerCase()))].filter((h) => !claimed.has(h) && !SHARED_HOSTS.includes(h)).sort();
  for (const h of hosts) claimed.add(h);
  services.push({ id, name: e.name, company: e.company || '', homepage: e.homepage || '', category, hosts });
}

// Cookie names, for revoke (a service not allowed has its cookies deleted, and their writes refused): the Open
// Cookie Database (Apache-2.0), as npm `@slashgear/gdpr-cookie-scanner` ships it (pinned in tests/package.json; its
// own licence is MIT, the data's is Apache-2.0: catalog/open-cookie-database.LICENSE). A platform is a service when
// its name is the service's (or its company's), or when the domain it gives is one of the service's hosts. Kept:
// the cookies of analytics, marketing and personalisation that a site's own document.cookie can hold (not those
// the database marks "3rd party"), whose name says whose it is (`distinctive`: a wrong one would refuse or delete
// a site's own cookie), named by one platform and claimed by one service only, and not one the curated layer
// already lists. A wildcard name is a prefix (`name*`).
const OCD_PACKAGE = '@slashgear/gdpr-cookie-scanner';
// (Its `exports` hide its files: found where npm installs it.)
const ocdDir = path.join(REPO, 'tests', 'node_modules', ...OCD_PACKAGE.split('/'));
const ocdPkg = JSON.parse(fs.readFileSync(path.join(ocdDir, 'package.json'), 'utf8'));
const OCD_FILE = 'src/data/open-cookie-database.json';
const ocd = JSON.parse(fs.readFileSync(path.join(ocdDir, OCD_FILE), 'utf8'));
const curated = JSON.parse(fs.readFileSync(path.join(REPO, 'catalog', 'vendors.json'), 'utf8'));
const curatedIds = new Set(curated.services.map((c) => c.id));
const curatedCookies = new Set(curated.services.flatMap((c) => c.cookies || []));
const key = (name) => name.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]/g, '');
const platforms = Object.entries(ocd);
const nameCount = new Map();
for (const [, entries] of platforms) for (const c of entries) nameCount.set(c.cookie.trim(), (nameCount.get(c.cookie.trim()) || 0) + 1);
const KEPT_CATEGORIES = ['Analytics', 'Marketing', 'Personalization'];
/** Words a site's own cookies use (sessions, consent and opt-out markers, carts, logins): never a vendor's name here. */
const SITE_WORDS = /session|consent|opt.?out|optout|gdpr|ccpa|accept|callback|csrf|xsrf|token|lang|locale|cart|login|logout|auth|ignore|test|debug|cookie|referr?er|search|user_?id|userid|visitor|device|guid|uuid|sync|status|time|page|query|data|partner|comp|conversion|paid|adid/i;
/** Whether `name` (a cookie name, or a family's prefix) says whose it is: a vendor's `_`/`__` prefix, or the
 * service's own name in it, and nothing a site's own cookie would be called. */
function distinctive(name, service) {
  if (SITE_WORDS.test(name)) return false;
  const tokens = [service.id, ...service.id.split('-'), key(service.name)].filter((t) => t.length >= 4);
  if (tokens.some((t) => key(name).includes(t.replace(/-/g, '')))) return true;
  return /^_{1,2}[A-Za-z]/.test(name) && name.length >= 5;
}
const owners = new Map(); // name → the services that would claim it
const found = new Map(); // service → names
for (const service of services) {
  if (curatedIds.has(service.id)) continue; // (the curated entry's own cookies win)
  const names = new Set([service.name, service.company, service.id].filter(Boolean).map(key));
  const cookies = new Set();
  for (const [platform, entries] of platforms) {
    for (const c of entries) {
      const domain = (c.domain || '').replace(/\(.*\)/, '').trim().toLowerCase();
      const byDomain = domain && service.hosts.some((h) => domain === h || domain.endsWith('.' + h));
      if (!names.has(key(platform)) && !byDomain) continue;
      const name = c.cookie.trim();
      const wildcard = c.wildcardMatch === '1';
      if (!KEPT_CATEGORIES.includes(c.category) || /3rd party/i.test(c.domain || '') || name.length < (wildcard ? 5 : 4)
        || !/^[\x21-\x7e]+$/.test(name) || name.includes('*') || nameCount.get(name) > 1 || curatedCookies.has(name)
        || !distinctive(name, service)) continue;
      cookies.add(wildcard ? `${name}*` : name);
    }
  }
  found.set(service, cookies);
  for (const name of cookies) owners.set(name, (owners.get(name) || 0) + 1);
}
// A name two services would claim names neither.
for (const [service, cookies] of found) {
  const kept = [...cookies].filter((name) => owners.get(name) === 1).sort();
  if (kept.length) service.cookies = kept;
}

const header = {
  $comment: [
    'Generated by scripts/catalog-base.mjs from the npm package below. Do not edit: change the script or the pin',
    '(tests/package.json), run it, and commit. build/catalog.rs compiles it under catalog/vendors.json, which wins.',
  ],
  source: { package: pkg.name, version: pkg.version, file: `dist/${SUBSET}`, license: pkg.license, copyright,
    homepage: 'https://github.com/patrickhulce/third-party-web' },
  cookieSource: { data: 'Open Cookie Database', license: 'Apache-2.0', homepage: 'https://github.com/jkwakman/Open-Cookie-Database',
    package: ocdPkg.name, version: ocdPkg.version, file: OCD_FILE },
  categories: CATEGORIES,
  neverHeld: NEVER_HELD,
  sharedHostsLeftOut: SHARED_HOSTS,
};
// One service per line: a new data set version reads as a diff of services.
const text = JSON.stringify(header, null, 2).replace(/\n}$/, ',\n  "services": [\n')
  + services.map((s) => `    ${JSON.stringify(s)}`).join(',\n') + '\n  ]\n}\n';

// Its licence, shipped with the SDK (dist/THIRD_PARTY_NOTICES.md).
const LICENSE_OUT = path.join(REPO, 'catalog', 'third-party-web.LICENSE');
const licence = fs.readFileSync(path.join(pkgDir, 'LICENSE'), 'utf8');

if (process.argv.includes('--check')) {
  const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
  const currentLicence = fs.existsSync(LICENSE_OUT) ? fs.readFileSync(LICENSE_OUT, 'utf8') : '';
  if (current !== text || currentLicence !== licence) {
    console.error(`catalog-base: catalog/base.json is not what third-party-web ${pkg.version} gives: run node scripts/catalog-base.mjs`);
    process.exit(1);
  }
  console.log(`catalog-base: catalog/base.json matches third-party-web ${pkg.version} (${services.length} services)`);
} else {
  fs.writeFileSync(OUT, text);
  fs.writeFileSync(LICENSE_OUT, licence);
  console.log(`catalog-base: wrote catalog/base.json: ${services.length} services, ${services.reduce((n, s) => n + s.hosts.length, 0)} hosts, from third-party-web ${pkg.version}; `
    + `${services.reduce((n, s) => n + (s.cookies?.length || 0), 0)} cookie names of ${services.filter((s) => s.cookies).length} services from the Open Cookie Database (${ocdPkg.name} ${ocdPkg.version})`);
}
