// Playwright's config for the example (README "Testing your site"). It starts the demo site with
// `sekisho-server --demo` (records in a throwaway SQLite file) and runs Debian's Chromium. For your own site,
// set SITE_URL (and drop `webServer`), and CHROMIUM if your browser lives elsewhere.
import { defineConfig } from '@playwright/test';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../..');
const port = Number(process.env.EXAMPLE_PORT || 18480);
const data = path.join(os.tmpdir(), `sekisho-example-${port}`);

export default defineConfig({
  testDir: '.',
  timeout: 60_000,
  reporter: [['list']],
  use: {
    baseURL: process.env.SITE_URL || `http://127.0.0.1:${port}`,
    launchOptions: { executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] },
    // Europe: the demo's regime map makes it opt-in here (nothing but necessary before a choice).
    timezoneId: 'Europe/Berlin',
    locale: 'en-GB',
  },
  webServer: process.env.SITE_URL ? undefined : {
    command: `mkdir -p ${data} && ${path.join(repo, 'target/debug/sekisho-server')} --demo --listen 127.0.0.1:${port}`
      + ` --www ${path.join(repo, 'www')} --dist ${path.join(repo, 'dist')}`
      + ` --database sqlite:${path.join(data, 'records.db')} --key-file ${path.join(data, 'server.key')}`,
    url: `http://127.0.0.1:${port}/sekisho/sekisho.js`,
    reuseExistingServer: false,
    timeout: 30_000,
  },
});
