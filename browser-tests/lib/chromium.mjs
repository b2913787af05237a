// Launches Debian's Chromium through playwright-core: never a downloaded browser, always a fresh
// profile, headless, with background networking off so that only the page under test talks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.SSESPEC_CHROMIUM || '/usr/bin/chromium';

export const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// A persistent context on a fresh --user-data-dir (`profile`, or a new temporary one that
// close() removes).
export async function launchChromium({ profile, executablePath = chromiumPath } = {}) {
  const ownProfile = !profile;
  const dir = profile || mkdtempSync(join(tmpdir(), 'ssespec-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath,
    headless: true,
    args: chromiumArgs,
    timeout: 30_000,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      if (ownProfile) rmSync(dir, { recursive: true, force: true });
    },
  };
}
