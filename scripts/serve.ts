// Runs the gateway and the worker side by side (what `npm start` ends in). Ctrl-C or
// SIGTERM stops both cleanly; if either dies on its own, the other is stopped too and
// the exit code says so, so a supervisor (systemd, Kubernetes) can restart the pair.
// In development the mail capture server (scripts/mail-capture.ts) runs beside them; it
// is optional: if it cannot start (its port is taken), the app keeps running.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const children = new Map<string, ChildProcess>();
let stopping = false;
let exitCode = 0;

function start(name: string, script: string, optional = false) {
  const child = spawn(process.execPath, [resolve(root, script)], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TASKMASTER_SERVICE: name },
  });
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping && optional) {
      if (code !== 0) process.stderr.write(`${name} exited (code ${code}, signal ${signal}); carrying on without it\n`);
    } else if (!stopping) {
      process.stderr.write(`${name} exited unexpectedly (code ${code}, signal ${signal}); stopping\n`);
      exitCode = 1;
      stop('SIGTERM');
    }
    if (children.size === 0) process.exit(exitCode);
  });
}

function stop(signal: NodeJS.Signals) {
  stopping = true;
  for (const child of children.values()) child.kill(signal);
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
  }, 15_000).unref();
}

process.on('SIGINT', () => stop('SIGTERM'));
process.on('SIGTERM', () => stop('SIGTERM'));
start('gateway', 'gateway/src/main.ts');
start('worker', 'workers/src/main.ts');
if ((process.env.NODE_ENV ?? 'development') === 'development') start('mail-capture', 'scripts/mail-capture.ts', true);
