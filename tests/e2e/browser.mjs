// cookieseal - e2e: the example server in headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core; no browser download). Checks that the browser stores the session cookie
// and sends it back, that page scripts cannot read or overwrite it, and that logout removes it.
//
// Usage: node browser.mjs http://localhost:PORT [COOKIE_NAME]
// localhost, not 127.0.0.1: Chromium keeps `Secure` cookies from http://localhost (a secure
// context), which the default `__Host-session` cookie needs.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.argv[2];
const cookieName = process.argv[3] ?? '__Host-session';
if (!base) {
  console.error('usage: node browser.mjs http://localhost:PORT [COOKIE_NAME]');
  process.exit(2);
}

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

// A fresh profile, so no cookie survives from an earlier run; removed at the end.
const profile = mkdtempSync(join(tmpdir(), 'cookieseal-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,  // playwright passes --headless
    timeout: 30_000,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync',
    ],
  });
  context.setDefaultTimeout(10_000);
  // Only loopback: any other request (none is expected) is aborted, not sent.
  await context.route((url) => url.hostname !== 'localhost', (route) => route.abort());
  const page = context.pages()[0] ?? (await context.newPage());

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

  // 2. Log in through the page's form: POST /login answers 303 to /.
  await page.fill('input[name=user]', 'ada');
  await Promise.all([page.waitForURL(`${base}/`), page.click('#login button')]);
  check('after logging in the page shows the user', (await user(page)) === 'ada',
        `user "${await user(page)}"`);

  // 3. The browser sends the cookie back: the counter goes up by one per page load.
  const first = await visits(page);
  const seen = [first];
  for (let i = 0; i < 3; i++) {
    response = await page.reload();
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
} catch (error) {
  check('the browser run completes', false, String(error?.message ?? error).split('\n')[0]);
} finally {
  await context?.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}

console.log(`# browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
