// Accessibility fixes that need the page as drawn (tests/test_accessibility.py keeps them).
// 1. Material's search dialog has no accessible name (axe: aria-dialog-name): give it the
//    search field's own label, which is already in the page's language.
// 2. A box that scrolls sideways (wide code, formula, table or notebook cell on a phone) must
//    be reachable from the keyboard (axe: scrollable-region-focusable). Re-checked on resize.
(() => {
  const SCROLLERS = [".md-typeset pre > code", ".katex-display", "span.arithmatex > .katex", ".md-typeset__scrollwrap",
    ".highlight-ipynb", ".jp-OutputArea-output pre"].join(", ");

  function nameSearchDialog() {
    const dialog = document.querySelector('.md-search[role="dialog"]');
    const input = document.querySelector(".md-search__input");
    if (dialog && input && !dialog.hasAttribute("aria-label")) {
      dialog.setAttribute("aria-label", input.getAttribute("aria-label") || input.placeholder);
    }
  }

  function focusableScrollers() {
    const boxes = [...document.querySelectorAll(SCROLLERS)];  // measure all, then write: one layout
    const scrolls = boxes.map((el) => el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight);
    boxes.forEach((el, i) => {
      if (scrolls[i]) el.setAttribute("tabindex", "0");
      else if (el.getAttribute("tabindex") === "0") el.removeAttribute("tabindex");
    });
  }

  let pending = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(focusableScrollers);
  });
  document$.subscribe(() => {
    nameSearchDialog();
    focusableScrollers();
  });
  window.addEventListener("load", focusableScrollers);  // sizes change as fonts and images arrive
  document.fonts?.ready.then(focusableScrollers);
})();
