// course-widgets.js: draws the course's anywidget views from the widget state saved in a page.
//
// Loaded (deferred) only on pages that carry widget state; added by book/_ext/course_publish.py
// through MyST-NB's `nb_ipywidgets_js`. Every widget the book saves is an anywidget view of
// attn_course.views: its front end is an ES module (the `_esm` trait) whose default export has
// `render({model, el})` and optionally `initialize({model})`. This script gives those modules
// the model interface they use (get, set, on, off, save_changes, send) over the saved state,
// imports each module once, and renders each view where MyST-NB left its widget-view tag.
// Without a kernel there is nothing to sync, so save_changes and send do nothing. The page has
// no MathJax to wait for: book/_ext/course_math.py typesets the math when the book is built.
//
// It replaces @jupyter-widgets/html-manager (3.6 MB with require.js) in the book; why, and
// what it does not do, is in CONTRIBUTING.md ("Widgets in the static book"). A saved widget
// that is not an anywidget view (e.g. an ipywidgets progress bar) is not drawn: the build
// keeps such widgets out of the pages and tests/browser/test_pages.py checks it.
(function () {
  "use strict";
  const STATE_TYPE = "application/vnd.jupyter.widget-state+json";
  const VIEW_TYPE = "application/vnd.jupyter.widget-view+json";

  function equal(a, b) {
    if (a === b) return true;
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
      return Number.isNaN(a) && Number.isNaN(b);
    }
    if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) return false; // binary: always new
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => equal(a[k], b[k]));
  }

  // Binary traits are saved base64-encoded beside the state, with the path of each in it;
  // the views receive them as DataView, as from a kernel.
  function putBuffers(state, buffers) {
    for (const { path, data, encoding } of buffers || []) {
      if (encoding !== "base64") throw new Error(`unsupported buffer encoding ${encoding}`);
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      let obj = state;
      for (const key of path.slice(0, -1)) obj = obj[key];
      obj[path[path.length - 1]] = new DataView(bytes.buffer);
    }
    return state;
  }

  class Model {
    constructor(id, state, manager) {
      this.model_id = id;
      this.widget_manager = manager;
      this._state = state;
      this._handlers = new Map();
    }
    get(name) {
      return this._state[name];
    }
    set(name, value) {
      const changes = typeof name === "object" ? name : { [name]: value };
      const changed = [];
      for (const [key, v] of Object.entries(changes)) {
        if (equal(this._state[key], v)) continue;
        this._state[key] = v;
        changed.push(key);
      }
      for (const key of changed) this._emit(`change:${key}`, this, this._state[key]);
      if (changed.length) this._emit("change", this);
    }
    on(events, callback, context) {
      for (const event of events.split(/\s+/).filter(Boolean)) {
        if (!this._handlers.has(event)) this._handlers.set(event, []);
        this._handlers.get(event).push({ callback, context });
      }
    }
    off(events, callback) {
      if (!events) return this._handlers.clear();
      for (const event of events.split(/\s+/).filter(Boolean)) {
        const kept = (this._handlers.get(event) || []).filter(
          (h) => callback && h.callback !== callback,
        );
        this._handlers.set(event, kept);
      }
    }
    save_changes() {} // no kernel to send the changes to
    send() {} // custom messages go to a kernel; there is none
    _emit(event, ...args) {
      for (const h of [...(this._handlers.get(event) || [])]) {
        try {
          h.callback.apply(h.context, args);
        } catch (err) {
          console.error(`course-widgets: a "${event}" handler of ${this.model_id} failed`, err);
        }
      }
    }
  }

  const modules = new Map(); // _esm source -> Promise of the widget definition
  const styles = new Set();

  function widgetDefinition(esm) {
    if (!modules.has(esm)) {
      const isUrl = /^(https?:\/\/|\.{0,2}\/)\S*$/.test(esm.trim());
      const url = isUrl ? esm.trim() : URL.createObjectURL(new Blob([esm], { type: "text/javascript" }));
      modules.set(esm, import(url).then(async (mod) => {
        let def = mod.default ?? mod;
        if (typeof def === "function") def = await def();
        return def;
      }));
    }
    return modules.get(esm);
  }

  function addCss(css) {
    if (!css || styles.has(css)) return;
    styles.add(css);
    const style = document.createElement("style");
    style.textContent = css;
    document.head.appendChild(style);
  }

  // Views nearest the viewport first: a reader sees the playground on screen drawn before
  // the ones further down are. The positions come from an IntersectionObserver, which the
  // browser fills in at its next rendering step: asking for them here (getBoundingClientRect)
  // would force a layout of the page while it is still being set up. A view in a section the
  // browser has not laid out yet (content-visibility in course.css) or in a hidden block has
  // no box; those keep the page's order, after the others.
  function byDistanceToViewport(tags) {
    if (typeof IntersectionObserver !== "function" || tags.length < 2) return Promise.resolve(tags);
    return new Promise((resolve) => {
      const boxes = new Map(); // observed element -> its box
      const target = (tag) => tag.parentElement || tag;
      const targets = new Set(tags.map(target));
      const observer = new IntersectionObserver((entries) => {
        // The first call has an entry for every element observed below; one the browser left
        // out is taken as having no box.
        for (const e of entries) boxes.set(e.target, e.boundingClientRect);
        observer.disconnect();
        const h = window.innerHeight;
        const distance = (r) => {
          if (!r || (r.width === 0 && r.height === 0)) return Infinity;
          if (r.bottom >= 0 && r.top <= h) return 0;
          return r.top > 0 ? r.top - h : -r.bottom;
        };
        const order = tags.map((tag, i) => [distance(boxes.get(target(tag))), i, tag]);
        order.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        resolve(order.map((d) => d[2]));
      });
      for (const el of targets) observer.observe(el);
    });
  }

  // Give the main thread back between two views (input, painting, the theme's scripts), so
  // drawing all the views of a page is not one long task.
  function yieldToPage() {
    if (globalThis.scheduler && typeof scheduler.yield === "function") return scheduler.yield();
    return new Promise((resolve) => setTimeout(resolve, 0));
  }

  async function draw(tag, models, entries, initialised) {
    const { model_id: id } = JSON.parse(tag.textContent);
    const model = models.get(id);
    if (!model) {
      const kind = entries[id] ? entries[id].model_name : "missing";
      console.warn(`course-widgets: widget ${id} (${kind}) is not an anywidget view; not drawn`);
      return;
    }
    const el = document.createElement("div");
    el.className = "course-widget";
    tag.before(el);
    try {
      addCss(model.get("_css"));
      const def = await widgetDefinition(model.get("_esm"));
      if (def.initialize && !initialised.has(id)) {
        initialised.set(id, Promise.resolve(def.initialize({ model })));
      }
      await initialised.get(id);
      await def.render({ model, el });
    } catch (err) {
      console.error(`course-widgets: could not draw widget ${id}`, err);
    }
  }

  async function main() {
    const saved = document.querySelector(`script[type="${STATE_TYPE}"]`);
    if (!saved) return;
    const entries = JSON.parse(saved.textContent).state || {};
    const models = new Map();
    const manager = { get_model: async (id) => models.get(id) };
    const initialised = new Map();
    for (const [id, entry] of Object.entries(entries)) {
      if (entry.model_module !== "anywidget") continue;
      models.set(id, new Model(id, putBuffers(entry.state, entry.buffers), manager));
    }
    const tags = [...document.querySelectorAll(`script[type="${VIEW_TYPE}"]`)];
    // Start importing every view's module at once (each is compiled off the main thread
    // while the first view is drawn), then draw the views one per task.
    for (const model of models.values()) widgetDefinition(model.get("_esm")).catch(() => {});
    for (const tag of await byDistanceToViewport(tags)) {
      await draw(tag, models, entries, initialised);
      await yieldToPage();
    }
  }

  main().catch((err) => console.error("course-widgets: could not read the saved widgets", err));
})();
