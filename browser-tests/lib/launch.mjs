// Opens one URL in headless Chromium and waits until the page sets window.ssespecDone (the
// runner page does when every case has reported to the server), the timeout passes, or its
// standard input ends. `ssespec browser --browser chromium` starts this; it collects nothing:
// the page reports straight to the server.
//   node lib/launch.mjs --url URL [--timeout SECONDS] [--profile DIR] [--executable PATH]
import { parseArgs } from 'node:util';
import { launchChromium, chromiumPath } from './chromium.mjs';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    timeout: { type: 'string', default: '180' },
    profile: { type: 'string' },
    executable: { type: 'string', default: chromiumPath },
  },
});
if (!values.url) {
  console.error('launch.mjs: --url is required');
  process.exit(2);
}
const timeoutMs = Number(values.timeout) * 1000;

const browser = await launchChromium({ profile: values.profile, executablePath: values.executable });
let closing = false;
const close = async (code) => {
  if (closing) return;
  closing = true;
  await browser.close();
  process.exit(code);
};
process.stdin.on('end', () => close(0));
process.stdin.on('error', () => close(0));
process.stdin.resume();
setTimeout(() => { console.error(`launch.mjs: timed out after ${values.timeout} s`); close(1); }, timeoutMs).unref();

try {
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(values.url, { timeout: 30_000 });
  await page.waitForFunction(() => window.ssespecDone === true, null, { timeout: timeoutMs, polling: 250 });
  await close(0);
} catch (e) {
  console.error(`launch.mjs: ${e.message}`);
  await close(1);
}
