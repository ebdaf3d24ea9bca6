// Performance budgets of the production build (issue 4), checked against a running gateway
// (scripts/test-e2e.sh runs this after Playwright, on the same build and gateway):
//   - initial JavaScript of the task-list route (/app): ≤ 100 KB gzip, summed over every
//     script the page loads before it settles, each gzipped at level 9 (what the build
//     precompresses);
//   - Lighthouse (the `lighthouse` package driving Debian's Chromium, desktop preset) on the
//     landing page and on /app signed in: LCP ≤ 1.5 s, CLS ≤ 0.05, performance score ≥ 90;
//   - a project with 10,000 tasks opens in under a second: from the start of the navigation
//     to its first task row on screen (the best of three loads, after one warm-up load).
// Prints a table, writes artifacts/budgets.json, and exits 1 when any budget is broken.
import { mkdir, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';

const BASE = process.env.PUBLIC_URL ?? `http://localhost:${process.env.TEST_GATEWAY_PORT ?? '54331'}`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const BUDGET = { jsKb: 100, lcpMs: 1500, cls: 0.05, score: 90, bigProjectMs: 1000 };

type Check = { check: string; value: number; budget: string; ok: boolean };

type Seeded = { cookie: string; bigProjectId: string };

/** A fresh user with 40 tasks in the Inbox and a project of 10,000 tasks. */
async function seedUser(): Promise<Seeded> {
  const email = `budget-${Date.now()}@example.com`;
  const res = await fetch(`${BASE}/auth/sign-up/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: BASE },
    body: JSON.stringify({ name: 'Budget Check', email, password: 'correct horse battery staple' }),
  });
  if (!res.ok) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const token = ((await (await fetch(`${BASE}/auth/token`, { headers: { cookie } })).json()) as { token: string })
    .token;
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const [workspace] = (await (await fetch(`${BASE}/rest/v1/workspaces?select=id`, { headers: auth })).json()) as {
    id: string;
  }[];
  if (!workspace) throw new Error('the new user has no workspace');
  const tasks = Array.from({ length: 40 }, (_, i) => ({
    workspace_id: workspace.id,
    title: `Budget task ${i + 1}: water the plants and call the plumber`,
    priority: (i % 4) + 1,
  }));
  const created = await fetch(`${BASE}/rest/v1/tasks`, {
    method: 'POST',
    headers: { ...auth, prefer: 'return=minimal' },
    body: JSON.stringify(tasks),
  });
  if (!created.ok) throw new Error(`seeding tasks failed: ${created.status} ${await created.text()}`);
  const projectRes = await fetch(`${BASE}/rest/v1/projects`, {
    method: 'POST',
    headers: { ...auth, prefer: 'return=representation' },
    body: JSON.stringify({ workspace_id: workspace.id, name: 'Ten thousand' }),
  });
  if (!projectRes.ok) throw new Error(`creating the project failed: ${projectRes.status}`);
  const [project] = (await projectRes.json()) as { id: string }[];
  for (let batch = 0; batch < 10; batch += 1) {
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      workspace_id: workspace.id,
      project_id: project!.id,
      title: `Item ${batch * 1000 + i + 1} of the big project`,
    }));
    const res = await fetch(`${BASE}/rest/v1/tasks`, {
      method: 'POST',
      headers: { ...auth, prefer: 'return=minimal' },
      body: JSON.stringify(rows),
    });
    if (!res.ok) throw new Error(`seeding the big project failed: ${res.status} ${await res.text()}`);
  }
  return { cookie, bigProjectId: project!.id };
}

/** A Cookie header ("a=1; b=2") as Playwright cookies for BASE. */
function playwrightCookies(cookie: string): { name: string; value: string; url: string }[] {
  return cookie.split('; ').map((pair) => {
    const i = pair.indexOf('=');
    return { name: pair.slice(0, i), value: pair.slice(i + 1), url: BASE };
  });
}

/** Milliseconds from navigation start to the first task row of the 10,000-task project. */
async function bigProjectOpen(cookie: string, projectId: string): Promise<{ ms: number; rows: number }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext();
    await context.addCookies(playwrightCookies(cookie));
    const page = await context.newPage();
    const times: number[] = [];
    for (let run = 0; run < 4; run += 1) {
      const start = Date.now();
      await page.goto(`${BASE}/app/projects/${projectId}`, { waitUntil: 'commit' });
      await page.getByRole('row').filter({ hasText: 'of the big project' }).first().waitFor();
      if (run > 0) times.push(Date.now() - start);
    }
    // Only the visible rows are in the DOM (virtualized), not 10,000.
    const rows = await page.getByRole('row').count();
    return { ms: Math.min(...times), rows };
  } finally {
    await browser.close();
  }
}

/** Gzipped size (KB) of every script /app loads until the network is idle. */
async function initialJs(cookie: string): Promise<{ kb: number; files: { url: string; kb: number }[] }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext();
    await context.addCookies(playwrightCookies(cookie));
    const page = await context.newPage();
    const pending: Promise<{ url: string; kb: number }>[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() !== 'script') return;
      pending.push(
        response.body().then((body) => ({
          url: new URL(response.url()).pathname,
          kb: Math.round((gzipSync(body, { level: 9 }).length / 1024) * 10) / 10,
        })),
      );
    });
    const res = await page.goto(`${BASE}/app`, { waitUntil: 'networkidle' });
    if (!res?.ok() || new URL(page.url()).pathname !== '/app') throw new Error(`/app did not load (${page.url()})`);
    const files = await Promise.all(pending);
    return { kb: Math.round(files.reduce((n, f) => n + f.kb, 0) * 10) / 10, files };
  } finally {
    await browser.close();
  }
}

async function audit(path: string, cookie?: string) {
  const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: CHROMIUM_ARGS });
  try {
    const result = await lighthouse(
      `${BASE}${path}`,
      {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: ['performance'],
        ...(cookie ? { extraHeaders: { Cookie: cookie } } : {}),
      },
      desktopConfig,
    );
    if (!result) throw new Error(`lighthouse returned nothing for ${path}`);
    const { lhr } = result;
    if (lhr.runtimeError) throw new Error(`lighthouse on ${path}: ${lhr.runtimeError.message}`);
    return {
      lcp: Math.round(lhr.audits['largest-contentful-paint']?.numericValue ?? Infinity),
      cls: Math.round((lhr.audits['cumulative-layout-shift']?.numericValue ?? Infinity) * 1000) / 1000,
      score: Math.round((lhr.categories.performance?.score ?? 0) * 100),
      finalUrl: lhr.finalDisplayedUrl,
    };
  } finally {
    chrome.kill();
  }
}

const { cookie, bigProjectId } = await seedUser();
const checks: Check[] = [];
const js = await initialJs(cookie);
const big = await bigProjectOpen(cookie, bigProjectId);
checks.push(
  {
    check: '10,000-task project: first rows (ms)',
    value: big.ms,
    budget: `≤ ${BUDGET.bigProjectMs}`,
    ok: big.ms <= BUDGET.bigProjectMs,
  },
  { check: '10,000-task project: rows in the DOM', value: big.rows, budget: '≤ 500', ok: big.rows <= 500 },
);
checks.push({
  check: 'initial JS of /app (KB gzip)',
  value: js.kb,
  budget: `≤ ${BUDGET.jsKb}`,
  ok: js.kb <= BUDGET.jsKb,
});
const audits: Record<string, Awaited<ReturnType<typeof audit>>> = {};
for (const [name, path, withCookie] of [
  ['landing', '/', false],
  ['task list', '/app', true],
] as const) {
  const a = await audit(path, withCookie ? cookie : undefined);
  if (withCookie && new URL(a.finalUrl).pathname !== path) throw new Error(`lighthouse was sent to ${a.finalUrl}`);
  audits[name] = a;
  checks.push(
    { check: `${name}: LCP (ms)`, value: a.lcp, budget: `≤ ${BUDGET.lcpMs}`, ok: a.lcp <= BUDGET.lcpMs },
    { check: `${name}: CLS`, value: a.cls, budget: `≤ ${BUDGET.cls}`, ok: a.cls <= BUDGET.cls },
    { check: `${name}: performance score`, value: a.score, budget: `≥ ${BUDGET.score}`, ok: a.score >= BUDGET.score },
  );
}
console.table(checks);
await mkdir('artifacts', { recursive: true });
await writeFile(
  'artifacts/budgets.json',
  JSON.stringify({ checks, scripts: js.files, audits, bigProject: big }, null, 2),
);
const broken = checks.filter((c) => !c.ok);
if (broken.length) {
  console.error(`budgets: ${broken.length} broken: ${broken.map((c) => c.check).join('; ')}`);
  process.exit(1);
}
console.log('budgets: all met');
