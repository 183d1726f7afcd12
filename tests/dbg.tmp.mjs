import { setup, open } from './e2e/harness.mjs';
const env = await setup();
const context = await env.ctx();
const { page } = await open(context, '/rt/gtm.html', { loopback: env.loopback });
const probes = {
  written: "(function () { var f = document.createElement('iframe'); document.body.appendChild(f); var d = f.contentDocument; d.open(); d.write('<p>ad</p>'); d.close(); f.contentWindow.location.href = U('written'); })()",
  writtenSelf: "(function () { var f = document.createElement('iframe'); document.body.appendChild(f); var d = f.contentDocument; d.open(); d.write('<p>ad</p><script>location.href = ' + JSON.stringify(U('writtenSelf')) + '<\\/script>'); d.close(); })()",
  srcdoc: "(function () { var f = document.createElement('iframe'); f.srcdoc = '<p>x</p>'; f.onload = function () { f.onload = null; f.contentWindow.location.href = U('srcdoc'); }; document.body.appendChild(f); })()",
  openedOnly: "(function () { var f = document.createElement('iframe'); document.body.appendChild(f); var d = f.contentDocument; d.open(); d.close(); f.contentWindow.location.href = U('openedOnly'); })()",
};
for (const [n, c] of Object.entries(probes)) {
  console.log(n, await page.evaluate(([c]) => { window.U = (ev) => 'https://www.facebook.com/tr/?id=1&ev=' + ev; try { (0, eval)(c); } catch (e) { return String(e); } return 'ok'; }, [c]));
}
await new Promise(r => setTimeout(r, 1500));
console.log(await page.evaluate(() => JSON.stringify(sekisho.audit().filter(e => (e.url||'').includes('ev=')).map(e => e.via + ' ' + e.url))));
console.log(env.loopback.requests((e) => e.host === 'www.facebook.com').map(e => e.dest + ' ' + e.path + JSON.stringify(e.query)));
await env.close();
