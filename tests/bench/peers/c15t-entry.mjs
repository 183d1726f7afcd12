// The c15t variant of tests/bench/peers.mjs: c15t is headless, so this is its quickstart (offline mode: no
// backend, a synthetic opt-in banner policy) plus the bench's own minimal banner (text + accept / reject), shown
// while `state.activeUI === 'banner'`. Bundled by the bench with esbuild (IIFE, minified) and loaded with `defer`,
// as a site's bundle is: c15t's iframe blocker observes document.body from the start. The store is
// window.c15tStore, as c15t publishes it.
import { getOrCreateConsentRuntime } from 'c15t';

const { consentStore } = getOrCreateConsentRuntime({
  mode: 'offline',
  consentCategories: ['necessary', 'measurement', 'marketing'],
});

// The banner, after the quickstart's "Minimal Consent Prompt".
const banner = document.createElement('div');
banner.id = 'c15t-bench-banner';
banner.setAttribute('role', 'dialog');
banner.setAttribute('aria-label', 'Cookie consent');
banner.style.cssText = 'position:fixed;left:16px;right:16px;bottom:16px;padding:16px;background:#fff;'
  + 'box-shadow:0 4px 24px rgba(0,0,0,.2);border-radius:8px;z-index:1000';
banner.innerHTML = '<p>We use cookies to measure the audience and show relevant ads.</p>'
  + '<div><button id="c15t-bench-accept">Accept all</button> <button id="c15t-bench-reject">Reject</button></div>';
document.body.appendChild(banner);
banner.querySelector('#c15t-bench-accept').addEventListener('click', () => consentStore.getState().saveConsents('all'));
banner.querySelector('#c15t-bench-reject').addEventListener('click', () => consentStore.getState().saveConsents('necessary'));
const show = (state) => { banner.style.display = state.activeUI === 'banner' ? 'block' : 'none'; };
show(consentStore.getState());
consentStore.subscribe(show);
