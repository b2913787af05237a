// Helpers for the browser tests: where the ssespec binary is, running it with a time limit, and
// starting `ssespec serve` on a free port.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = resolve(projectDir, '..');

// SSESPEC_BIN (CTest sets it), else the README's build folder.
export function ssespecBinary() {
  const bin = process.env.SSESPEC_BIN || join(repoDir, 'build', 'conformance', 'ssespec');
  if (!existsSync(bin)) {
    throw new Error(`ssespec binary not found at ${bin}: build first (cmake --build build) or set SSESPEC_BIN`);
  }
  return bin;
}

// Runs ssespec with `args`; resolves {status, stdout, stderr, ms}. Killed after timeoutMs.
export function runSsespec(args, { env = {}, timeoutMs = 240_000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn(ssespecBinary(), args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolvePromise({ status, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

// Starts `ssespec serve --port 0`; resolves {url, stop()} once it prints where it listens.
export function startServer(extraArgs = []) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(ssespecBinary(), ['serve', '--port', '0', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    let listening = false;
    // A busy machine starts it slowly: tens of seconds before saying it did not come up.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ssespec serve did not print "listening on" within 30 s; its output: ${seen}`));
    }, 30_000);
    child.on('exit', (status, signal) => {
      if (listening) return;
      clearTimeout(timer);
      reject(new Error(`ssespec serve exited (${signal || `status ${status}`}) before listening; its output: ${seen}`));
    });
    child.stdout.on('data', (d) => {
      seen += d;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (match && !listening) {
        listening = true;
        clearTimeout(timer);
        resolvePromise({
          url: match[1],
          stop: () => new Promise((done) => { child.once('close', done); child.kill('SIGTERM'); }),
        });
      }
    });
    child.stderr.on('data', (d) => { seen += d; });
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

export function hasProgram(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}
