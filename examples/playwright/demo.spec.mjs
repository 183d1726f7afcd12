// A site's consent, proven at the network: every request the browser makes is judged by Sekisho's own policy
// (sekisho/testing) against the consent in effect when it was made — before any choice, after "reject all", after
// "accept all" (where the allowed tags must load), after withdrawing. Run: README "Testing your site".
import { test, expect } from '@playwright/test';
import { recordRequests, state } from 'sekisho/testing';

// Nothing leaves this machine: every third party answers here, empty (the browser still makes each request, and
// the recorder still sees it).
test.beforeEach(async ({ context, baseURL }) => {
  const site = new URL(baseURL).host;
  await context.route((url) => url.host !== site, (route) => route.fulfill({ status: 204, body: '' }));
});

const PAGE = process.env.EXAMPLE_PAGE || '/';

test('nothing reaches a tracker the visitor has not allowed, and what they allow loads', async ({ context, page }) => {
  const recorder = await recordRequests(context);
  await page.goto(PAGE);
  await recorder.phase('before any choice', page);
  await page.waitForLoadState('networkidle');
  await recorder.assertNoLeaks(); // (each step checked as it ends: a failure names the first step that leaked)

  await recorder.decide(page, 'after reject all', 'reject-all');
  await page.reload();
  await recorder.phase('a later page, rejected', page);
  await page.waitForLoadState('networkidle');

  const accepted = await recorder.decide(page, 'after accept all', 'accept-all');
  expect(accepted.categories.analytics).toBe(true);
  // Allowed tags do load: Google's tag, once analytics is allowed.
  await expect.poll(() => recorder.requests().filter((r) => r.service === 'google-tag-manager').length).toBeGreaterThan(0);

  await recorder.decide(page, 'after withdrawing analytics and ads', 'save', { categories: { analytics: false, ads: false } });
  expect((await state(page)).categories.ads).toBe(false);
  await page.reload();
  await recorder.phase('a later page, withdrawn', page);
  await page.waitForLoadState('networkidle');

  await recorder.assertNoLeaks();
});
