// Where the guards' time goes on a hot DOM path: a V8 CPU profile (self time by function) of 20,000 operations in a
// page that loads sekisho.js, the MutationObserver's work included. For a readable profile, build unminified first:
//
//   SEKISHO_UNMINIFIED=1 scripts/build.sh && node tests/bench/profile-dom.mjs [import|create|html]
//
// import: importNode of a template row + appendChild; create: createElement + setAttribute ×2 + appendChild;
// html: innerHTML of a row. A tool for finding hot spots, not a figure (bench.mjs prints those).
import { startLoopback } from '../e2e/loopback.mjs';
import { launch } from '../e2e/harness.mjs';

const what = process.argv[2] || 'import';
const lb = await startLoopback();
lb.route('site.test', /^\/profile\.html$/, () => ({ type: 'html', body: '<!doctype html><html><head><meta charset=utf-8>'
  + '<script src="/sekisho/sekisho.js"></script></head><body><template id=row><div class=row><span class=a>x</span>'
  + '<a href="/item">y</a><img alt="" src="/pixel.gif"><button>z</button></div></template><div id=host></div></body></html>' }));
const browser = await launch(lb);
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('https://site.test/profile.html');
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
  await cdp.send('Profiler.start');
  await page.evaluate(async (op) => {
    const host = document.getElementById('host');
    const row = document.getElementById('row').content;
    for (let i = 0; i < 20000; i++) {
      if (op === 'import') host.appendChild(document.importNode(row, true));
      else if (op === 'html') host.innerHTML = '<div class=row><span>x</span><a href="/item">y</a><img alt="" src="/pixel.gif"></div>';
      else {
        const d = document.createElement('div'); d.setAttribute('class', 'c' + i); d.setAttribute('data-i', String(i));
        d.appendChild(document.createElement('span')); host.appendChild(d);
      }
      if (i % 100 === 99) { host.textContent = ''; await null; } // let the observer run, as a framework's render would
    }
  }, what);
  const { profile } = await cdp.send('Profiler.stop');
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (const id of profile.samples) {
    const f = nodes.get(id).callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}${f.lineNumber >= 0 ? `:${f.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) || 0) + 1);
  }
  console.log(`self time, ${what}, ${profile.samples.length} samples`);
  for (const [key, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${((100 * n) / profile.samples.length).toFixed(1).padStart(5)}%  ${key}`);
  }
} finally {
  await browser.close();
  await lb.close();
}
