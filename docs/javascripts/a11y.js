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

  // Blocks drawn only when near the viewport (content-visibility: auto, stylesheets/perf.css): a
  // box in one not drawn yet is measured when it is drawn, since measuring it now would force the
  // layout that perf.css saves; until then it is focusable, as it may scroll.
  const LAZY = ".md-typeset .doc-contents > :not(.doc-children)";
  function notDrawn(el) {
    const block = el.closest(LAZY);
    const probe = el === block ? el.firstElementChild : el;
    return Boolean(block && probe?.checkVisibility && !probe.checkVisibility({contentVisibilityAuto: true}));
  }

  function focusableScrollers(root = document) {
    const found = [...(root.matches?.(SCROLLERS) ? [root] : []), ...root.querySelectorAll(SCROLLERS)];
    const later = new Set(found.filter(notDrawn));
    const boxes = found.filter((el) => !later.has(el));  // measure all, then write: one layout
    later.forEach((el) => el.setAttribute("tabindex", "0"));
    const scrolls = boxes.map((el) => el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight);
    boxes.forEach((el, i) => {
      if (scrolls[i]) el.setAttribute("tabindex", "0");
      else if (el.getAttribute("tabindex") === "0") el.removeAttribute("tabindex");
    });
  }

  let pending = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => focusableScrollers());
  });
  document$.subscribe(() => {
    nameSearchDialog();
    focusableScrollers();
  });
  window.addEventListener("load", () => focusableScrollers());  // sizes change as fonts and images arrive
  document.fonts?.ready.then(() => focusableScrollers());
  document.addEventListener("contentvisibilityautostatechange", (e) => {
    if (!e.skipped) focusableScrollers(e.target);
  }, true);
})();
