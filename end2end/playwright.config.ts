import { defineConfig } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// One fresh SQLite file per run; workers inherit the variable, so it is made once.
process.env.E2E_DB_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), 'castellan-e2e-'));
const port = process.env.E2E_PORT ?? '3100';
const baseURL = `http://127.0.0.1:${port}`;
// The development OpenID provider the demo's acme trusts (scripts/oidc-dev.sh, SPEC section 7).
const oidcPort = process.env.E2E_OIDC_PORT ?? '3901';
const oidcIssuer = `http://127.0.0.1:${oidcPort}`;

export default defineConfig({
  testDir: './tests',
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL,
    browserName: 'chromium',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: [
    {
      command: 'bash scripts/oidc-dev.sh',
      cwd: '..',
      url: `${oidcIssuer}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { OIDC_DEV_PORT: oidcPort },
    },
    {
      command: './target/release/server',
      cwd: '..',
      url: `${baseURL}/readyz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'pipe',
      env: {
        DATABASE_URL: process.env.E2E_DATABASE_URL ?? `sqlite://${process.env.E2E_DB_DIR}/e2e.db`,
        CASTELLAN_DEMO: '1',
        LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
        LEPTOS_SITE_ROOT: 'target/site',
        CASTELLAN_LOG: 'warn',
        CASTELLAN_DEMO_OIDC_ISSUER: oidcIssuer,
      },
    },
  ],
});
