// Starts a gridops binary for the measurement the way run.sh does for the
// tests: a free loopback port, a fresh SQLite database and photo folder in a
// temporary directory, the demo data, and a wait for /readyz. `stop()` ends
// the server and removes the directory.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A port nobody listens on now (the kernel's choice). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `binary serve --demo …`. Options: `extraArgs` (e.g.
 * `['--console-dir', 'console']`), `readyTimeoutMs`.
 */
export async function startServer(binary, { extraArgs = [], readyTimeoutMs = 60_000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gridops-console-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logPath = join(dir, 'server.log');
  const log = openSync(logPath, 'a');
  const args = [
    'serve', '--demo',
    '--bind', `127.0.0.1:${port}`,
    '--database-url', `sqlite://${join(dir, 'console.db')}`,
    '--photo-dir', join(dir, 'photos'),
    '--log-format', 'json',
    ...extraArgs,
  ];
  const child = spawn(binary, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });

  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      for (let i = 0; i < 100 && !exited; i++) await sleep(50);
      if (!exited) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) {
      const tail = readFileSync(logPath, 'utf8').slice(-4000);
      await stop();
      throw new Error(`gridops exited (${JSON.stringify(exited)}) before it was ready:\n${tail}`);
    }
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`gridops was not ready within ${readyTimeoutMs} ms`);
    }
    await sleep(100);
  }
  return { url, port, dir, stop };
}
