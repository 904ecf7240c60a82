"""An offline accessibility check run inside the page (axe-core cannot be fetched on these machines):
the WCAG points the statement and dashboard are held to, each returning the elements that fail it.

- the document has a language and a title;
- every <img> has alt text and every top-level <svg> an accessible name (or is hidden from readers);
- every table has a header row (<thead>) and every header cell a scope;
- headings start at h1 and never skip a level going down;
- text contrast against its effective background is at least 4.5:1 (3:1 for large or bold large text);
- every text of a chart lies inside its SVG (legends that fit), at a rendered size of at least 11 px.
"""

CHECK_JS = r"""
const problems = [];
const add = (rule, el, detail) => problems.push({rule, where: (el && (el.id || el.className || el.tagName)) + "", detail: detail || ""});
const html = document.documentElement;
if (!html.getAttribute("lang")) add("lang", html, "html has no lang");
if (!document.title.trim()) add("title", html, "no <title>");
document.querySelectorAll("img").forEach(img => { if (!img.hasAttribute("alt")) add("img-alt", img); });
document.querySelectorAll("svg").forEach(svg => {
  if (svg.parentElement.closest("svg")) return;
  const hidden = svg.getAttribute("aria-hidden") === "true";
  const name = svg.getAttribute("aria-label") || svg.getAttribute("aria-labelledby");
  if (!hidden && !(name && name.trim())) add("svg-name", svg);
});
document.querySelectorAll("table").forEach(t => {
  if (!t.tHead) add("table-thead", t, t.textContent.slice(0, 60));
  t.querySelectorAll("th").forEach(th => { if (!th.getAttribute("scope")) add("th-scope", th, th.textContent.slice(0, 40)); });
});
let last = 0;
document.querySelectorAll("h1,h2,h3,h4,h5,h6").forEach(h => {
  const level = Number(h.tagName[1]);
  if ((last === 0 && level !== 1) || level > last + 1) add("heading-order", h, `h${last} then h${level}: ${h.textContent.slice(0, 50)}`);
  last = level;
});
const rgb = s => { const m = s.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(",").map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
const lum = c => { const f = v => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
const background = el => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c && c.a > 0.5) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const seen = new Set();
while (walker.nextNode()) {
  const node = walker.currentNode, el = node.parentElement;
  if (!node.textContent.trim() || !el || seen.has(el) || el.closest("svg") || el.closest("script,style")) continue;
  seen.add(el);
  const style = getComputedStyle(el);
  if (style.visibility === "hidden" || style.display === "none" || el.getClientRects().length === 0) continue;
  const fg = rgb(style.color), bg = background(el);
  const ratio = (Math.max(lum(fg), lum(bg)) + 0.05) / (Math.min(lum(fg), lum(bg)) + 0.05);
  const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
  const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
  if (ratio < need) add("contrast", el, `${ratio.toFixed(2)} < ${need}: ${node.textContent.trim().slice(0, 40)}`);
}
document.querySelectorAll("svg.chart").forEach(svg => {
  const box = svg.getBoundingClientRect();
  if (box.width === 0) return;  // inside a closed <details>: checked when opened
  const scale = box.width / svg.viewBox.baseVal.width;
  svg.querySelectorAll("text").forEach(t => {
    if (!t.textContent.trim()) return;
    const r = t.getBoundingClientRect();
    if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
      add("chart-text-outside", svg, t.textContent);
    const px = parseFloat(getComputedStyle(t).fontSize) * scale;
    if (px < 11) add("chart-text-small", svg, `${px.toFixed(1)}px: ${t.textContent}`);
  });
});
return problems;
"""


def accessibility_problems(driver) -> list[dict]:
    return driver.execute_script(CHECK_JS)
