// The gateway as a real child process on a free port: its stdout and stderr are the log
// stream operators get, so tests that inspect logs read them here.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export type GatewayProcess = {
  base: string;
  /** Everything the process has written so far (stdout and stderr). */
  output: () => string;
  /** SIGTERM, then wait for the process to exit. */
  stop: () => Promise<void>;
};

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

/** Starts gateway/src/main.ts with PORT and PUBLIC_URL set (plus `env`) and waits until it listens. */
export async function spawnGateway(env: Record<string, string> = {}): Promise<GatewayProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [resolve(import.meta.dirname, '../../gateway/src/main.ts')], {
    env: { ...process.env, PORT: String(port), PUBLIC_URL: base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  for (let i = 0; i < 100 && !out.includes('gateway listening'); i += 1) await new Promise((r) => setTimeout(r, 100));
  if (!out.includes('gateway listening')) {
    await stop();
    assert.fail(`the gateway did not start:\n${out}`);
  }
  return { base, output: () => out, stop };
}
