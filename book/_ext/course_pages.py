"""Sphinx extension: the published page as a reader's browser meets it — clean, light, accessible.

Loaded by ``_config.yml``'s ``local_extensions``; the browser tests
(``tests/browser/test_pages.py``) check each point on every page. What it does:

1. **No thebe.** The book configures no thebe launch button, yet Jupyter Book always loads
   ``sphinx_thebe``, whose inline ``const THEBE_JS_URL`` ends up twice in every page (a
   ``SyntaxError`` in the console). Its scripts and stylesheet are dropped from the pages.
2. **A colour mode and a favicon.** pydata-sphinx-theme logs "Got invalid theme mode" unless
   a default mode is set (``auto``: the reader's system setting); browsers ask for a favicon
   (``static/favicon.svg``).
3. **Light pages.** ``templates/layout.html`` drops the theme's 1.5 MB font-awesome script
   (its icons are drawn by ``icons.css``, written here from the theme's own icon data for the
   icons the pages use) and loads the search index only on the search page. The widget
   runtime (``static/course-widgets.js``) is set in ``_config.yml`` and loads deferred, only
   on pages that have views; the widget state those pages save moves from ``<head>`` to the
   end of the body. No MathJax runs in the browser: ``course_math.py`` typesets the math at
   build time. Duplicate inline scripts are removed; sphinx-design's stylesheet and script
   stay off pages without its components. At the end of the build the theme's stylesheet
   loses Font Awesome's glyph rules (85 kB), and the icon fonts the theme still draws a few
   marks with are cut to those characters (``trim_theme_css``).
4. **A meta description per page**: the page's front matter ``description`` if it has one,
   else its first paragraph of prose.
5. **Accessibility of the theme**: the bibliography is a list of list items (docutils writes
   ARIA roles that axe-core flags), and ``templates/`` label the search and colour-mode
   buttons by what they show (``label-content-name-mismatch``).
6. **A chapter's load without long tasks** (Lighthouse's total blocking time): ``course.css``
   lets the browser skip the style and layout of the sections below the fold until they come
   near; the theme's script no longer lays out the whole page to find the code blocks that
   scroll (``lazy_tab_stops``, with ``static/course-tabstops.js``); the colour theme is set
   before the first paint (``templates/layout.html``), so the theme's script does not restyle
   the whole page when it runs. The figures load lazily (``lazy_images``): on a phone's
   network the figures below the fold no longer share the bandwidth with the page's
   stylesheets and scripts.
7. **No progress bars in the pages.** The environment variable ``ATTN_COURSE_BOOK_BUILD``
   is set for the notebooks the build executes (their kernels inherit it):
   ``attn_course.tools.progress`` then draws no bar, so no frozen ipywidgets bar is saved
   into a page. A person running the notebook sees the bar.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
BOOK_BUILD = "ATTN_COURSE_BOOK_BUILD"  # read by attn_course.tools.progress
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
DESCRIPTION_CHARS = 155


# --- configuration ------------------------------------------------------------------------


def configure(app: Sphinx, config: Any) -> None:
    """Templates, favicon, the theme's default colour mode; mark the build for the kernels."""
    os.environ[BOOK_BUILD] = "1"
    config.templates_path = [str(TEMPLATES), *config.templates_path]
    if not config.html_favicon:
        config.html_favicon = str(STATIC / "favicon.svg")
    context = dict(config.html_context or {})
    context.setdefault("default_mode", "auto")  # read by pydata-sphinx-theme's templates
    config.html_context = context


# --- per page: scripts, description, bibliography ---------------------------------------------

THEBE_MARKERS = ("THEBE_JS_URL", "sphinx-thebe", "thebe@")
STATE_TYPE = "application/vnd.jupyter.widget-state+json"  # MyST-NB's saved widget state
_USES_DESIGN = re.compile(r'class="(?:[^"]*\s)?sd-')


def _is_thebe(asset: Any) -> bool:
    text = f"{asset.filename or ''} {getattr(asset, 'attributes', {}).get('body', '')}"
    return any(m in text for m in THEBE_MARKERS)


def _is_mathjax(script: Any) -> bool:
    """MathJax and its configuration: the math is typeset at build time (``course_math``)."""
    body = str(getattr(script, "attributes", {}).get("body", "") or "")
    return "mathjax" in str(script.filename or "").lower() or body.startswith("window.MathJax")


def clean_assets(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                 doctree: Any) -> None:
    """Drop thebe's scripts and stylesheet, MathJax (``course_math`` typesets the math at
    build time) and inline scripts that appear twice. The saved widget state (up to 150 kB
    of JSON that MyST-NB puts in ``<head>``) moves to the end of the body: in the head it
    delayed the first paint until it had downloaded; the widget loader is deferred, so it
    reads the state once the whole page is parsed."""
    seen: set[str] = set()
    scripts = []
    states = []
    for script in context.get("script_files", []):
        if _is_thebe(script) or _is_mathjax(script):
            continue
        body = script.attributes.get("body") if not script.filename else None
        if body is not None:
            if script.attributes.get("type") == STATE_TYPE:
                states.append(body)
                continue
            if body in seen:
                continue
            seen.add(body)
        scripts.append(script)
    css = [c for c in context.get("css_files", []) if not _is_thebe(c)]
    if not _USES_DESIGN.search(context.get("body", "")):
        # sphinx-design's 55 kB stylesheet (render-blocking) and its tabs script are left out of
        # a page with no sphinx-design component (no ``sd-`` class).
        css = [c for c in css if "sphinx-design" not in str(c.filename or "")]
        scripts = [s for s in scripts if "design-tabs" not in str(s.filename or "")]
    context["script_files"] = scripts
    context["css_files"] = css
    if states:
        context["body"] = context.get("body", "") + "".join(
            f'\n<script type="{STATE_TYPE}">{state}</script>' for state in states)


def _paragraph_text(node: nodes.Node) -> str:
    text = " ".join(node.astext().split())
    return text


def page_description(doctree: nodes.document | None, fallback: str) -> str:
    """The first paragraph of prose (not a run-time line, not inside a cell's output or an
    admonition), shortened to about 155 characters at a word boundary."""
    if doctree is None:
        return fallback
    for para in doctree.findall(nodes.paragraph):
        parent, skip = para.parent, False
        while parent is not None:
            classes = parent.get("classes", []) if isinstance(parent, nodes.Element) else []
            if isinstance(parent, (nodes.Admonition, nodes.field_list, nodes.citation, nodes.table,
                                   nodes.list_item)) or any("cell" in c for c in classes):
                skip = True
                break
            parent = parent.parent
        text = _paragraph_text(para)
        if skip or len(text) < 40 or text.lower().startswith("run time"):
            continue
        if len(text) > DESCRIPTION_CHARS:
            text = text[: DESCRIPTION_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
        return text
    return fallback


def add_description(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                    doctree: Any) -> None:
    """``<meta name="description">`` from the front matter or the first paragraph."""
    metatags = context.get("metatags", "")
    if 'name="description"' in metatags:
        return
    meta = app.env.metadata.get(pagename, {}) if doctree is not None else {}
    title = re.sub(r"<[^>]+>", "", str(context.get("title", ""))) or app.config.project
    fallback = f"{title} — {app.config.project}"
    if pagename == "search":
        fallback = f"Search {app.config.project}."
    elif pagename in ("genindex", "py-modindex"):
        fallback = f"{title} of {app.config.project}."
    text = str(meta.get("description") or page_description(doctree, fallback))
    context["metatags"] = (metatags
                           + f'\n<meta name="description" content="{html.escape(text)}" />')


def fix_bibliography_roles(app: Sphinx, pagename: str, templatename: str,
                           context: dict[str, Any], doctree: Any) -> None:
    """docutils writes a citation list as ``role="list"`` with ``role="doc-biblioentry"``
    children: axe-core flags the deprecated role and a list without list items."""
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


_IMG = re.compile(r"<img\b(?![^>]*\bloading=)")


def lazy_images(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                doctree: Any) -> None:
    """``loading="lazy"`` on the page's images: the browser fetches a figure when it comes
    near the viewport (those on the first screen at once), not all of them with the page."""
    body = context.get("body")
    if body and "<img" in body:
        context["body"] = _IMG.sub('<img loading="lazy"', body)


# --- icons ------------------------------------------------------------------------------------

_ICON = re.compile(r'(?:"([a-z0-9-]+)"|\b([a-z][a-z0-9]*)):\[(\d+),(\d+),\[[^\]]*\],"[0-9a-f]+",'
                   r'(?:"(M[^"]*)"|\["(M[^"]*)")')
_PACKS = {"fab": "brands", "far": "regular", "fas": "solid"}
_NAME = re.compile(r"\bfa-([a-z0-9]+(?:-[a-z0-9]+)*)")
_NOT_ICONS = {"lg", "xs", "sm", "xl", "2xl", "fw", "solid", "regular", "brands", "spin",
              "pulse", "border", "inverse", "flip", "rotate-90", "rotate-180", "rotate-270"}


def font_awesome_icons(script: Path) -> dict[str, dict[str, tuple[int, int, str]]]:
    """``{pack: {name: (width, height, svg path)}}`` from the theme's font-awesome script."""
    text = script.read_text(encoding="utf-8")
    packs: dict[str, dict[str, tuple[int, int, str]]] = {}
    start = 0
    for call in re.finditer(r'\w\("(fab|far|fas)",\w+\)', text):
        segment = text[start: call.start()]
        start = call.end()
        icons = packs.setdefault(_PACKS[call.group(1)], {})
        for m in _ICON.finditer(segment):
            name = m.group(1) or m.group(2)
            icons[name] = (int(m.group(3)), int(m.group(4)), m.group(5) or m.group(6))
    return packs


def _icon_rule(selector: str, width: int, height: int, path: str) -> str:
    svg = (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}'>"
           f"<path d='{path}'/></svg>")
    url = svg.replace("<", "%3C").replace(">", "%3E").replace("#", "%23")
    return (f'{selector}{{--fa-icon:url("data:image/svg+xml,{url}");'
            f"width:{width / height:.4g}em}}")


ICONS_CSS_HEAD = """/* Made by book/_ext/course_pages.py from the theme's font-awesome script, for
   the icons the pages use: the icons without the 1.5 MB script.
   Font Awesome Free, icons CC BY 4.0 (see fontawesome.js.LICENSE.txt). */
:where(.fa, .fas, .far, .fab, .fa-solid, .fa-regular, .fa-brands) {
  display: inline-block; height: 1em; width: 1em; vertical-align: -0.125em;
  background-color: currentColor;
  -webkit-mask: var(--fa-icon) center / contain no-repeat;
  mask: var(--fa-icon) center / contain no-repeat;
}
.fa-lg { font-size: 1.25em; line-height: 0.05em; vertical-align: -0.075em; }
"""


def write_icons(app: Sphinx, exception: Exception | None) -> None:
    """Write ``_static/icons.css`` with every font-awesome icon the built pages name."""
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    script = out / "_static" / "scripts" / "fontawesome.js"
    if not script.exists():
        return
    packs = font_awesome_icons(script)
    names: set[str] = set()
    static = out / "_static"
    sources = [*out.rglob("*.html"), *static.glob("*.js"), *(static / "scripts").glob("*.js")]
    for source in sources:
        if source.name.startswith("fontawesome"):
            continue
        names.update(_NAME.findall(source.read_text(encoding="utf-8", errors="ignore")))
    rules = [ICONS_CSS_HEAD]
    for name in sorted(names - _NOT_ICONS):
        for pack in ("solid", "brands", "regular"):
            if name in packs.get(pack, {}):
                rules.append(_icon_rule(f".fa-{name}", *packs[pack][name]))
                break
        if name in packs.get("regular", {}) and name in packs.get("solid", {}):
            rules.append(_icon_rule(f":is(.far,.fa-regular).fa-{name}", *packs["regular"][name]))
    (out / "_static" / "icons.css").write_text("\n".join(rules) + "\n", encoding="utf-8")


# --- the theme's stylesheet: Font Awesome's glyph rules and fonts ------------------------------

_GLYPH_RULE = re.compile(r'(?:\.fa-[\w-]+::?before,?)+\{content:"[^"]*"\}')
_FA_FACE = re.compile(r"@font-face\{[^}]*font-family:Font Awesome\\ 6 (Free|Brands);[^}]*"
                      r"font-weight:(\d+);[^}]*\}")
_FA_FONTS = {("Free", "900"): "fa-solid-900", ("Free", "400"): "fa-regular-400",
             ("Brands", "400"): "fa-brands-400"}
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def trim_theme_css(app: Sphinx, exception: Exception | None) -> None:
    """Make pydata-sphinx-theme's 400 kB stylesheet lighter without changing how a page looks.

    - Font Awesome's 1,834 glyph rules (``.fa-NAME:before{content:…}``, 85 kB) go: the
      ``<i class="fa-…">`` icons are drawn by ``icons.css``. With them went the only reason a
      page downloaded two icon fonts (fa-solid 157 kB, fa-brands 118 kB) for its header icons.
    - The theme still draws a few icons as characters of those fonts in its own rules
      (admonition titles, external-link and download marks, …: the ``--pst-icon-*``
      variables). The fonts are cut down (fontTools, which matplotlib already brings) to the
      characters the stylesheets name, and the ``@font-face`` rules point at the cut fonts.
    """
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    css_file = static / "styles" / "pydata-sphinx-theme.css"
    webfonts = static / "vendor" / "fontawesome" / "webfonts"
    if not css_file.exists() or not webfonts.is_dir():
        return
    css = css_file.read_text(encoding="utf-8")
    css = _GLYPH_RULE.sub("", css)
    css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)  # the map no longer matches
    used = set()
    for sheet in [css, *(p.read_text(encoding="utf-8", errors="ignore")
                         for p in static.rglob("*.css") if p != css_file)]:
        used.update(_PRIVATE_USE.findall(sheet))

    def cut_font(m: re.Match[str]) -> str:
        name = _FA_FONTS.get((m.group(1), m.group(2)))
        source = webfonts / f"{name}.ttf"
        if name is None or not source.exists():
            return m.group(0)
        _subset_font(source, webfonts / f"{name}-course.woff", used)
        src = f'src:url(../vendor/fontawesome/webfonts/{name}-course.woff) format("woff")'
        return re.sub(r"src:[^;}]*", src, m.group(0))

    css = _FA_FACE.sub(cut_font, css)
    css_file.write_text(css, encoding="utf-8")


def _subset_font(source: Path, target: Path, chars: set[str]) -> None:
    """Write ``target`` (WOFF) with only the glyphs of ``chars`` that ``source`` has."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source))
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = []
    options.name_IDs = ["*"]  # keep the font's names, its licence among them
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in sorted(chars)])
    subsetter.subset(font)
    font.flavor = "woff"
    font.save(str(target))


# --- the theme's script: tab stops without a layout of the whole page -------------------------

# pydata-sphinx-theme 0.17's minified addTabStopsToScrollableElements: the selector of the
# blocks and the loop that reads the size of each.
_TAB_STOPS = re.compile(
    r'document\.querySelectorAll\((\[[^\]]*"pre"[^\]]*\]\.join\(", "\))\)'
    r'\.forEach\((\w+)=>\{\2\.tabIndex=\2\.scrollWidth>\2\.clientWidth\|\|'
    r'\2\.scrollHeight>\2\.clientHeight\?0:-1\}\)')


def lazy_tab_stops(app: Sphinx, exception: Exception | None) -> None:
    """Make the theme's script hand its tab-stop update to ``window.courseTabStops``
    (``static/course-tabstops.js``), which measures only the blocks near the viewport.

    The theme reads the size of every code block and output on load, after each change in
    the article and on resize: a layout of the whole page, the skipped sections too. Where
    ``courseTabStops`` is missing the theme's own loop runs. A theme whose script no longer
    has the loop gets a warning (which fails the ``-W`` build) rather than a silently slow
    page."""
    if exception is not None or app.builder.format != "html":
        return
    script = Path(app.outdir) / "_static" / "scripts" / "pydata-sphinx-theme.js"
    if not script.exists():
        return
    text = script.read_text(encoding="utf-8")
    if "window.courseTabStops" in text:
        return
    new, count = _TAB_STOPS.subn(
        lambda m: f"(window.courseTabStops?window.courseTabStops({m.group(1)}):{m.group(0)})",
        text)
    if count != 1:
        logger.warning("course_pages: the theme's tab-stop loop was not found in %s; pages "
                       "lay out in full on load (update _TAB_STOPS)", script)
        return
    script.write_text(new, encoding="utf-8")


def icon_for_redirect(app: Sphinx, exception: Exception | None) -> None:
    """Give the root ``index.html`` (sphinx-external-toc's one-line redirect) the favicon link
    every other page has: without it a browser that renders the page before following the
    redirect asks for ``/favicon.ico`` and logs a 404."""
    index = Path(app.outdir) / "index.html"
    if exception is not None or app.builder.format != "html" or not index.exists():
        return
    text = index.read_text(encoding="utf8")
    if 'http-equiv="Refresh"' in text and 'rel="icon"' not in text:
        index.write_text('<link rel="icon" href="_static/favicon.svg"/>\n' + text, encoding="utf8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", configure)
    app.add_css_file("icons.css")
    # Deferred, before the theme's own deferred script (at the end of the body) that calls it.
    app.add_js_file("course-tabstops.js", loading_method="defer")
    # After sphinx-book-theme (501) and course_publish (502) have added their buttons/assets.
    app.connect("html-page-context", clean_assets, priority=900)
    app.connect("html-page-context", add_description, priority=900)
    app.connect("html-page-context", fix_bibliography_roles, priority=900)
    app.connect("html-page-context", lazy_images, priority=900)
    app.connect("build-finished", write_icons)
    app.connect("build-finished", trim_theme_css)
    app.connect("build-finished", lazy_tab_stops)
    app.connect("build-finished", icon_for_redirect, priority=900)  # after etoc's index.html
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
