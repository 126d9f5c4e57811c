// Typeset the math that the build left raw, with the vendored KaTeX (no CDN).
// hooks/katex_build.py renders the \( \) and \[ \] of Markdown pages at build time when
// node is available; notebook pages (mkdocs-jupyter) carry raw $ and $$, and a build
// without node leaves everything raw. KaTeX (script, auto-render, stylesheet) is loaded
// only on a page that still has raw math, and what is already rendered is skipped.
(() => {
  const base = new URL("vendor/katex/", document.currentScript.src);
  const RAW = /\$[^$\s]|\\\(|\\\[/;

  function hasRawMath(root) {
    if (root.querySelector(".arithmatex:not(:has(.katex, .katex-error))")) return true;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (RAW.test(node.textContent) && !node.parentElement.closest("pre, code, .katex, .katex-error, script, style")) return true;
    }
    return false;
  }

  function load(name) {
    return new Promise((resolve, reject) => {
      const el = name.endsWith(".css") ? document.createElement("link") : document.createElement("script");
      if (name.endsWith(".css")) Object.assign(el, { rel: "stylesheet", href: new URL(name, base).href });
      else el.src = new URL(name, base).href;
      el.onload = resolve;
      el.onerror = () => reject(new Error("cannot load " + name));
      document.head.appendChild(el);
    });
  }

  let katexReady = null;

  document$.subscribe(async ({ body }) => {
    if (!hasRawMath(body)) return;
    katexReady ??= Promise.all([load("katex.min.css"), load("katex.min.js").then(() => load("contrib/auto-render.min.js"))]);
    await katexReady;
    renderMathInElement(body, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "$", right: "$", display: false },
        { left: "\\(", right: "\\)", display: false },
        { left: "\\[", right: "\\]", display: true },
      ],
      ignoredClasses: ["highlight", "jp-OutputArea-output", "katex", "katex-error"],
      throwOnError: false,
    });
  });
})();
