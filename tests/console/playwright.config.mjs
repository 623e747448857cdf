// Browser tests of the dispatchers' console against a running gridops
// binary: `bash tests/console/run.sh` starts one and sets GRIDOPS_URL. To run
// against a server of your own: GRIDOPS_URL=http://127.0.0.1:8080 npx playwright test
// (started with --demo).

import { defineConfig } from '@playwright/test';

const baseURL = process.env.GRIDOPS_URL;
if (!baseURL) {
  throw new Error('GRIDOPS_URL is not set: run `bash tests/console/run.sh`, or start gridops with --demo and set GRIDOPS_URL');
}

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.mjs',
  globalSetup: './global-setup.mjs',
  // Tests only share the server; each makes its own cases and finds them by a
  // unique word. Two workers on a two-core machine: the server needs a core.
  fullyParallel: true,
  workers: Number(process.env.PW_WORKERS || 2),
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  globalTimeout: 10 * 60_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  outputDir: process.env.PW_OUTPUT_DIR || 'test-results',
  use: {
    baseURL,
    viewport: { width: 1280, height: 800 },
    // The console's own switch picks the language (tests set English); the
    // browser's locale and zone only shape dates.
    locale: 'en-GB',
    timezoneId: 'Asia/Shanghai',
    actionTimeout: 15_000,
    navigationTimeout: 20_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-gpu',
        '--disable-component-update',
        '--no-first-run',
        // Nothing may leave the machine (the tests check every request); should
        // anything try, it fails at once instead of waiting for a network.
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      ],
    },
  },
});
