// axe-core's WCAG 2.1 A and AA rules over every kind of page, public and back office, in both
// languages, at phone and desktop width, in Debian's Chromium (playwright-core drives it; no
// browser is downloaded). Usage: node check.mjs BASE_URL USERNAME (the password on stdin).
// Prints each violation with the page, the rule and the elements; exits 1 if there is any.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const VIEWPORTS = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1280, height: 900 },
];

const [base, username] = process.argv.slice(2);
if (!base || !username) {
  console.error("usage: node check.mjs BASE_URL USERNAME < password");
  process.exit(2);
}
const password = readFileSync(0, "utf8").split("\n")[0];

async function json(path) {
  const res = await fetch(base + path);
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

// One certificate in each status and a company, from the registry's own API.
async function samples() {
  const numbers = {};
  for (const status of ["valid", "suspended", "revoked", "expired"]) {
    const found = await json(`/api/v1/certificates?status=${status}&per_page=1`);
    if (found.items.length) numbers[status] = found.items[0].number;
  }
  const valid = numbers.valid;
  if (!valid) throw new Error("the registry has no valid certificate");
  const code = (await json(`/api/v1/certificates/${encodeURIComponent(valid)}`)).company
    .credit_code;
  return { numbers, valid, code };
}

function publicPages({ numbers, valid, code }) {
  const v = encodeURIComponent(valid);
  const pages = [
    "/",
    "/search",
    "/search?q=%E7%A7%91%E6%8A%80",
    "/search?q=%E7%A7%91%E6%8A%80&stars=4&page=2",
    "/search?q=zzzz-nothing",
    "/search?q=jd.com",
    `/certificates/${v}/embed`,
    `/certificates/${v}/print`,
    `/companies/${encodeURIComponent(code)}`,
    "/certificates/NO-SUCH-NUMBER",
    "/misuse",
    "/about",
    "/downloads",
    "/statistics",
    "/statistics?province=110000",
    "/api",
    "/admin/login",
  ];
  for (const number of Object.values(numbers)) {
    pages.push(`/certificates/${encodeURIComponent(number)}`);
  }
  return pages.flatMap((p) => [p, p + (p.includes("?") ? "&" : "?") + "lang=en"]);
}

function backOfficePages({ valid, code }) {
  const v = encodeURIComponent(valid);
  return [
    "/admin",
    "/admin/find?q=%E7%A7%91%E6%8A%80",
    "/admin/issue",
    `/admin/certificates/${v}`,
    `/admin/certificates/${v}/evaluate`,
    `/admin/companies/${encodeURIComponent(code)}`,
    "/admin/audit",
    "/admin/reference",
    "/admin/accounts",
    "/admin/password",
  ];
}

async function audit(page, path, viewport) {
  const res = await page.goto(base + path, { waitUntil: "load" });
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }),
    TAGS,
  );
  return result.violations.map((v) => ({
    path,
    viewport: viewport.name,
    status: res ? res.status() : 0,
    rule: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
const found = await samples();
const violations = [];
let checked = 0;
for (const viewport of VIEWPORTS) {
  // The pages forbid every script (CSP default-src none): axe is let in by the browser.
  const context = await browser.newContext({ viewport, locale: "zh-CN", bypassCSP: true });
  const page = await context.newPage();
  for (const path of publicPages(found)) {
    violations.push(...(await audit(page, path, viewport)));
    checked += 1;
  }
  await page.goto(base + "/admin/login");
  await page.fill("#username", username);
  await page.fill("#password", password);
  await Promise.all([page.waitForNavigation(), page.click("form button[type=submit]")]);
  if (new URL(page.url()).pathname === "/admin/login") throw new Error("could not log in");
  for (const path of backOfficePages(found)) {
    violations.push(...(await audit(page, path, viewport)));
    checked += 1;
  }
  await context.close();
}
await browser.close();

for (const v of violations) {
  console.log(`${v.viewport} ${v.path} (${v.status}): ${v.rule} [${v.impact}] ${v.help}`);
  for (const t of v.targets) console.log(`    ${t}`);
}
console.log(`accessibility: ${checked} page views, ${violations.length} violations of WCAG 2.1 AA`);
process.exit(violations.length ? 1 : 0);
