// course-tabstops.js: the theme's keyboard tab stops on scrollable blocks, without laying out
// the whole page.
//
// pydata-sphinx-theme gives every code block and cell output that scrolls a tab stop (so a
// keyboard user can scroll it) and takes it from those that do not: on load, after every
// change in the article (the views being drawn) and on resize, it reads scrollWidth and
// clientWidth of every such block. Reading them lays out the whole page at once, the sections
// below the fold included (book/_ext/static/course.css lets the browser skip those until they
// come near), and it made the longest task of a chapter's load. book/_ext/course_pages.py
// makes the theme's script call window.courseTabStops(selector) instead, which does the same
// for the blocks within a screen of the viewport, as they come near, and again when one of them
// changes size. A block not yet measured
// keeps a tab stop (tabindex 0), so every block that scrolls is reachable from the keyboard
// (and axe-core's scrollable-region-focusable holds) before it is measured.
(function () {
  "use strict";
  const watched = new Set();
  const near = new Set();

  function measure(el) {
    const scrolls = el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight;
    el.tabIndex = scrolls ? 0 : -1;
  }

  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) {
        near.add(entry.target);
        measure(entry.target);
      } else {
        near.delete(entry.target);
      }
    }
  }, { rootMargin: "100% 0px" });

  // A block near the viewport whose width changes (the window resized, a sidebar opened or
  // closed, a transition ended) is measured again once the browser has laid it out.
  const resized = new ResizeObserver((entries) => {
    for (const entry of entries) if (near.has(entry.target)) measure(entry.target);
  });

  // Called by the theme where it measured every block: new blocks are watched, the blocks
  // near the viewport are measured again (a resize or a change in the article).
  window.courseTabStops = function (selector) {
    for (const el of document.querySelectorAll(selector)) {
      if (watched.has(el)) {
        if (near.has(el)) measure(el);
        continue;
      }
      watched.add(el);
      if (!el.hasAttribute("tabindex")) el.tabIndex = 0;
      observer.observe(el);
      resized.observe(el);
    }
  };
})();
