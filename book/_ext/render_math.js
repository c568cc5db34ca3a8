// render_math.js: typeset the book's TeX at build time with the vendored MathJax (node_modules/
// mathjax, the same version and components the pages loaded before: TeX input, CommonHTML
// output, assistive MathML), so that no MathJax runtime runs in the reader's browser.
//
// Run by book/_ext/course_math.py at the end of the build. Reads JSON from stdin:
//   {"items": [[tex, display], ...], "fontURL": "mathjax/output/chtml/fonts/woff-v2"}
// and writes JSON to stdout:
//   {"html": ["<mjx-container ...>", ...], "css": "...", "errors": [[index, message], ...]}
// "css" is the CommonHTML stylesheet for every formula in "items" (the fonts they use, relative
// to the stylesheet: fontURL).
"use strict";
const path = require("path");

const MATHJAX = path.resolve(__dirname, "..", "..", "node_modules", "mathjax");

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

async function main() {
  const request = JSON.parse(await readStdin());
  const MathJax = await require(MATHJAX).init({
    loader: { paths: { mathjax: path.join(MATHJAX, "es5") },
              load: ["input/tex", "output/chtml", "a11y/assistive-mml"] },
    chtml: { fontURL: request.fontURL },
    startup: { typeset: false },
  });
  const adaptor = MathJax.startup.adaptor;
  const html = [];
  const errors = [];
  request.items.forEach(([tex, display], i) => {
    const node = MathJax.tex2chtml(tex, { display: Boolean(display) });
    // A display formula wider than the column scrolls sideways (the theme's CSS): it must take
    // the keyboard focus so that a keyboard can scroll it (axe: scrollable-region-focusable).
    // MathJax in the browser made every formula focusable, for its menu.
    if (display) adaptor.setAttribute(node, "tabindex", "0");
    const out = adaptor.outerHTML(node);
    if (out.includes("<mjx-merror")) {
      errors.push([i, adaptor.textContent(node).slice(0, 200)]);
    }
    html.push(out);
  });
  const css = adaptor.textContent(MathJax.chtmlStylesheet());
  process.stdout.write(JSON.stringify({ html, css, errors }));
}

main().catch((err) => {
  process.stderr.write(`render_math.js: ${err.stack || err}\n`);
  process.exit(1);
});
