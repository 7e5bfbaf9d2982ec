// cookieseal - e2e: the example server in headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core; no browser download). Checks that the browser stores the session cookie
// and sends it back, that page scripts cannot read or overwrite it, that logout removes it, and
// that a form posted from another origin is refused (CSRF) while the page's own forms pass.
//
// Usage: node browser.mjs SERVER_BINARY
// Each case in `cases` gets its own server (SERVER_BINARY --port 0 on 127.0.0.1, a new key,
// the case's extra COOKIESEAL_* variables, under `timeout 120`) and a fresh browser context
// (an empty cookie jar): to test another configuration, add a case with its `env`.
// The page is opened as http://localhost:PORT, not 127.0.0.1: Chromium keeps `Secure` cookies
// from http://localhost (a secure context), which the default `__Host-session` cookie needs.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const binary = process.argv[2];
if (!binary) {
  console.error('usage: node browser.mjs SERVER_BINARY');
  process.exit(2);
}
// The case being run: its server's origin and its cookie's name.
let base;
let cookieName;

let passed = 0;
let failed = 0;
function check(what, condition, detail = '') {
  if (condition) {
    passed++;
    console.log(`ok - chromium: ${what}`);
  } else {
    failed++;
    console.log(`not ok - chromium: ${what}${detail ? ` (${detail})` : ''}`);
  }
}

// What the example's home page shows.
async function visits(page) {
  const m = /visits: (\d+)/.exec(await page.textContent('body'));
  return m ? Number(m[1]) : NaN;
}
async function user(page) {
  const m = /user: ([^\n]*)/.exec(await page.textContent('body'));
  return m ? m[1].trim() : '';
}
const anonymous = '(not logged in)';
async function sessionCookies(context) {
  return (await context.cookies(base)).filter((c) => c.name === cookieName);
}


// A second origin on loopback, as an attacker's page: GET /form?to=URL serves a form that
// posts to URL (the example's /login) with no CSRF token. Same host, another port: another
// origin, but the same site, so SameSite=Lax still lets the cookie go with the post.
// The example server for one case; resolves to its port once it prints "listening on ...".
const servers = [];
process.on('exit', () => servers.forEach((child) => child.kill()));
function startServer(env) {
  const child = spawn('timeout', ['120', binary, '--port', '0'], {
    env: { ...process.env, COOKIESEAL_KEYS: randomBytes(32).toString('hex'), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  servers.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${binary} did not start in 10 s`)), 10_000);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.on('exit', () => reject(new Error(`${binary} exited: ${out.trim()}`)));
  });
}

function startOtherOrigin() {
  const server = createServer((req, res) => {
    const to = new URL(req.url, 'http://x').searchParams.get('to') ?? '';
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><form id=forged method=post action="${to.replace(/"/g, '')}">` +
            '<input name=user value=mallory><button>win a prize</button></form>');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Clicks a form's button and waits until the page its post redirects to has loaded. Waiting
// for the URL alone is not enough: the login form is on `/` and redirects back to `/`, so the
// URL matches before the post has gone and a reload would race the navigation.
async function submitAndLoad(page, selector, landing) {
  await Promise.all([
    page.waitForResponse((r) => r.url() === landing && r.request().method() === 'GET'),
    page.click(selector),
  ]);
  await page.waitForLoadState('load');
}

async function login(page, name) {
  await page.goto(`${base}/`);
  await page.fill('input[name=user]', name);
  await submitAndLoad(page, '#login button', `${base}/`);
}

// Posts the attacker's form from `origin` and returns the response to it.
async function postForged(page, origin) {
  await page.goto(`${origin}/form?to=${encodeURIComponent(`${base}/login`)}`);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${base}/login`),
    page.click('#forged button'),
  ]);
  await page.waitForLoadState('load');
  return response;
}

// Each case: its name, the server's extra environment, the cookie name that gives, and the
// checks.
const cases = [
  { name: 'the session cookie: stored, sent back, HttpOnly, removed at logout', env: {},
    cookie: '__Host-session', run: async ({ context, page }) => {
    // 1. First visit: a fresh session, stored as an HttpOnly, Secure, SameSite=Lax cookie.
    let response = await page.goto(`${base}/`);
    check('GET / answers 200', response?.status() === 200, `status ${response?.status()}`);
    check('a first visit counts 1', (await visits(page)) === 1, `visits ${await visits(page)}`);
    let cookies = await sessionCookies(context);
    check(`the browser stored ${cookieName}`, cookies.length === 1, `${cookies.length} cookies`);
    const c = cookies[0] ?? {};
    check('the cookie is HttpOnly', c.httpOnly === true);
    if (cookieName.startsWith('__Host-')) check('the cookie is Secure', c.secure === true);
    check('the cookie has SameSite=Lax and Path=/', c.sameSite === 'Lax' && c.path === '/',
          `${c.sameSite} ${c.path}`);

    // 2. Log in through the page's form (it carries the CSRF token): POST /login answers 303 to /.
    await page.fill('input[name=user]', 'ada');
    await submitAndLoad(page, '#login button', `${base}/`);
    check("the page's own login form (same origin, with its token) is accepted",
          (await user(page)) === 'ada', `user "${await user(page)}"`);

    // 3. The browser sends the cookie back: the counter goes up by one per page load.
    const seen = [await visits(page)];
    for (let i = 0; i < 3; i++) {
      await page.reload();
      seen.push(await visits(page));
    }
    check('the visit counter goes up by 1 on each reload',
          seen.every((v, i) => i === 0 || v === seen[i - 1] + 1), seen.join(' '));
    check('the user stays logged in across reloads', (await user(page)) === 'ada');

    // 4. HttpOnly: page scripts neither see the cookie nor can replace it. A script's own cookie
    // shows that document.cookie works at all; it is deleted again right after.
    await page.evaluate(() => { document.cookie = 'probe=1; Path=/'; });
    const visible = await page.evaluate(() => document.cookie);
    await page.evaluate(() => { document.cookie = 'probe=; Path=/; Max-Age=0'; });
    check('document.cookie cannot read the session cookie (but shows a script cookie)',
          visible.includes('probe=1') && !visible.includes(cookieName), `document.cookie = "${visible}"`);
    const before = (await sessionCookies(context))[0]?.value;
    await page.evaluate((name) => { document.cookie = `${name}=forged; Path=/; Secure`; }, cookieName);
    const after = await sessionCookies(context);
    check('a script cannot overwrite the HttpOnly cookie',
          after.length === 1 && after[0].value === before && after[0].value !== 'forged');

    // 5. Logout deletes the cookie (Max-Age=0), and the next visit starts afresh.
    await Promise.all([page.waitForLoadState('load'), page.click('#logout button')]);
    await page.waitForURL(`${base}/logout`);
    cookies = await context.cookies(base);
    check('after logout the browser holds no cookie', cookies.length === 0,
          cookies.map((x) => x.name).join(', '));
    response = await page.goto(`${base}/`);
    check('after logout the next visit is a fresh session',
          response?.status() === 200 && (await visits(page)) === 1 && (await user(page)) === anonymous,
          `visits ${await visits(page)}, user "${await user(page)}"`);
  } },

  { name: 'CSRF: a form posted from another origin is refused', env: {}, cookie: '__Host-session',
    run: async ({ page, other }) => {
    await login(page, 'ada');
    // localhost:OTHER is the same site as localhost:PORT (the cookie goes along) but another
    // origin: Chromium sends Sec-Fetch-Site: same-site; 127.0.0.1:OTHER is another site.
    for (const origin of [`http://localhost:${other}`, `http://127.0.0.1:${other}`]) {
      const response = await postForged(page, origin);
      const text = await page.textContent('body');
      check(`a form from ${origin} gets the 403 of the Sec-Fetch-Site check`,
            response.status() === 403 && text.includes('CSRF check failed: a cross-site request'),
            `status ${response.status()}, body "${text.trim().slice(0, 80)}"`);
    }
    await page.goto(`${base}/`);
    check('after the forged posts the user is still ada', (await user(page)) === 'ada',
          `user "${await user(page)}"`);
  } },

  { name: 'a browser-session cookie (COOKIESEAL_PERSISTENT=false): no expiry, the session still works',
    env: { COOKIESEAL_PERSISTENT: 'false' }, cookie: '__Host-session', run: async ({ context, page }) => {
    await login(page, 'ada');
    const cookies = await sessionCookies(context);
    // Playwright reports a cookie without Max-Age/Expires with expires -1: the browser forgets it
    // when it closes.
    check('the stored cookie is a session cookie (expires -1)', cookies.length === 1 && cookies[0].expires === -1,
          `expires ${cookies[0]?.expires}`);
    await page.reload();
    check('it is sent back: the user stays logged in', (await user(page)) === 'ada', `user "${await user(page)}"`);
  } },
];

let browser;
let other;
try {
  other = await startOtherOrigin();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,  // playwright passes --headless
    timeout: 30_000,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync',
    ],
  });
  for (const { name, env, cookie, run } of cases) {
    let server;
    try {
      server = await startServer(env);
    } catch (error) {
      check(`${name}: the server starts`, false, String(error?.message ?? error).split('\n')[0]);
      continue;
    }
    base = `http://localhost:${server.port}`;
    cookieName = cookie;
    console.log(`# ${name} (${base})`);
    // A new context per case: an empty cookie jar, as a fresh profile.
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    // Only loopback: any other request (none is expected) is aborted, not sent.
    await context.route((url) => url.hostname !== 'localhost' && url.hostname !== '127.0.0.1',
                        (route) => route.abort());
    try {
      await run({ context, page: await context.newPage(), other: other.address().port });
    } catch (error) {
      check(`${name}: the case completes`, false, String(error?.message ?? error).split('\n')[0]);
    } finally {
      await context.close().catch(() => {});
      server.child.kill();
    }
  }
} catch (error) {
  check('the browser run completes', false, String(error?.message ?? error).split('\n')[0]);
} finally {
  await browser?.close().catch(() => {});
  other?.close();
}

console.log(`# browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
