// Typeset math with the vendored KaTeX (no CDN). Markdown pages carry \( \) and \[ \]
// from pymdownx.arithmatex; notebook pages (mkdocs-jupyter) carry raw $ and $$.
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    ignoredClasses: ["highlight", "jp-OutputArea-output"],
    throwOnError: false,
  });
});
