// The script embedded in every SVG: hover details, click to zoom, regex search. It needs no network and no library,
// and reads everything from the drawn frames plus a small settings object, so the SVG stays a plain picture without it.

/** Settings the script needs that the drawn frames do not carry. */
export interface ScriptSettings {
  nameType: string;
  countName: string;
  xpad: number;
  fontSize: number;
  fontWidth: number;
  inverted: boolean;
  searchColor: string;
}

// Plain ES5-level JavaScript kept as text: it runs in the viewer's browser, not in Node.
const body = String.raw`
(function () {
  "use strict";
  var S = SETTINGS;
  var svgEl, framesEl, detailsEl, unzoomEl, searchEl, ignoreCaseEl, matchedEl;
  var frames = [];
  var rootValue = 0;
  var fullWidth = 0;
  var zoomed = null;
  var searchTerm = null;
  var ignoreCase = false;
  var EPS = 0.0001;
  var titleRe = new RegExp("^([\\s\\S]*) \\(([-\\d,.]+) ");

  function textOf(el) { return el ? el.textContent : ""; }

  function setText(el, s) { el.textContent = s; }

  function readFrames() {
    var gs = framesEl.children;
    for (var i = 0; i < gs.length; i++) {
      var g = gs[i];
      var rect = g.querySelector("rect");
      var text = g.querySelector("text");
      var title = textOf(g.querySelector("title"));
      var m = titleRe.exec(title);
      var f = {
        g: g, rect: rect, text: text, title: title,
        name: m ? m[1] : title,
        value: m ? Number(m[2].replace(/,/g, "")) : 0,
        x: parseFloat(rect.getAttribute("x")),
        w: parseFloat(rect.getAttribute("width")),
        y: parseFloat(rect.getAttribute("y")),
        fill: rect.getAttribute("fill"),
        index: i
      };
      g.setAttribute("data-index", String(i));
      if (f.w > fullWidth) { fullWidth = f.w; rootValue = f.value; }
      frames.push(f);
    }
  }

  function frameOf(node) {
    while (node && node !== framesEl) {
      if (node.parentNode === framesEl) return frames[Number(node.getAttribute("data-index"))];
      node = node.parentNode;
    }
    return null;
  }

  function fitText(f, x, w) {
    f.text.setAttribute("x", (x + 3).toFixed(2));
    var chars = Math.floor(w / (S.fontSize * S.fontWidth));
    if (chars < 3) { setText(f.text, ""); return; }
    var name = f.name;
    setText(f.text, chars < name.length ? name.slice(0, chars - 2) + ".." : name);
  }

  function place(f, x, w) {
    f.rect.setAttribute("x", x.toFixed(1));
    f.rect.setAttribute("width", w.toFixed(1));
    fitText(f, x, w);
  }

  // Frames nearer the root than f (its ancestors, or frames on other paths).
  function nearerRoot(a, f) { return S.inverted ? a.y < f.y : a.y > f.y; }

  function zoom(f) {
    unzoom();
    zoomed = f;
    var ratio = fullWidth / f.w;
    for (var i = 0; i < frames.length; i++) {
      var a = frames[i];
      if (nearerRoot(a, f)) {
        if (a.x <= f.x + EPS && a.x + a.w + EPS >= f.x + f.w) {
          a.g.classList.add("parent");
          place(a, S.xpad, fullWidth);
        } else {
          a.g.classList.add("hide");
        }
      } else if (a.x < f.x - EPS || a.x + EPS >= f.x + f.w) {
        a.g.classList.add("hide");
      } else {
        place(a, S.xpad + (a.x - f.x) * ratio, a.w * ratio);
      }
    }
    unzoomEl.classList.remove("hide");
  }

  function unzoom() {
    if (zoomed === null) return;
    zoomed = null;
    for (var i = 0; i < frames.length; i++) {
      var a = frames[i];
      a.g.classList.remove("parent");
      a.g.classList.remove("hide");
      place(a, a.x, a.w);
    }
    unzoomEl.classList.add("hide");
  }

  function clearSearch() {
    for (var i = 0; i < frames.length; i++) {
      frames[i].rect.setAttribute("fill", frames[i].fill);
      frames[i].g.classList.remove("match");
    }
    searchTerm = null;
    searchEl.classList.remove("show");
    setText(searchEl, "Search");
    matchedEl.classList.add("hide");
    setText(matchedEl, " ");
  }

  // Highlights frames whose name matches; the percentage counts each sample once (a match inside a match is not
  // added again) against the whole profile.
  function search(term) {
    clearSearch();
    if (term === null || term === undefined || term === "") return { count: 0, percent: 0 };
    var re;
    try { re = new RegExp(term, ignoreCase ? "i" : ""); } catch (err) { setText(matchedEl, "Bad regex"); matchedEl.classList.remove("hide"); return { count: 0, percent: 0 }; }
    searchTerm = term;
    var hits = [];
    for (var i = 0; i < frames.length; i++) {
      var f = frames[i];
      if (re.test(f.name)) {
        f.rect.setAttribute("fill", S.searchColor);
        f.g.classList.add("match");
        hits.push(f);
      }
    }
    hits.sort(function (a, b) { return a.x - b.x || b.w - a.w; });
    var matched = 0;
    var end = -Infinity;
    for (var j = 0; j < hits.length; j++) {
      if (hits[j].x + EPS >= end) { matched += hits[j].value; end = hits[j].x + hits[j].w; }
    }
    var pct = rootValue > 0 ? (100 * matched) / rootValue : 0;
    var shown = pct === 100 ? "100" : pct.toFixed(1);
    searchEl.classList.add("show");
    setText(searchEl, "Reset Search");
    matchedEl.classList.remove("hide");
    setText(matchedEl, "Matched: " + shown + "%");
    return { count: hits.length, percent: pct };
  }

  function promptSearch() {
    if (searchTerm !== null) { clearSearch(); return; }
    var term = window.prompt("Search for frames (regular expression, e.g. ^ext4_)" + (ignoreCase ? ", ignoring case" : ""), "");
    if (term !== null) search(term);
  }

  function toggleIgnoreCase() {
    ignoreCase = !ignoreCase;
    if (ignoreCase) ignoreCaseEl.classList.add("show"); else ignoreCaseEl.classList.remove("show");
    if (searchTerm !== null) search(searchTerm);
  }

  function init() {
    svgEl = document.documentElement;
    framesEl = document.getElementById("frames");
    detailsEl = document.getElementById("details");
    unzoomEl = document.getElementById("unzoom");
    searchEl = document.getElementById("search");
    ignoreCaseEl = document.getElementById("ignorecase");
    matchedEl = document.getElementById("matched");
    readFrames();
    svgEl.addEventListener("click", function (e) {
      var f = frameOf(e.target);
      if (f) {
        if (f.g.classList.contains("parent") || f === zoomed) unzoom();
        if (f !== zoomed && f.w < fullWidth - EPS) zoom(f);
        return;
      }
      var id = e.target && e.target.id;
      if (id === "unzoom") unzoom();
      else if (id === "search") promptSearch();
      else if (id === "ignorecase") toggleIgnoreCase();
    });
    svgEl.addEventListener("mouseover", function (e) {
      var f = frameOf(e.target);
      if (f) setText(detailsEl, S.nameType + " " + f.title);
    });
    svgEl.addEventListener("mouseout", function (e) {
      if (frameOf(e.target)) setText(detailsEl, " ");
    });
    window.addEventListener("keydown", function (e) {
      if (e.keyCode === 114 || (e.ctrlKey && e.keyCode === 70)) { e.preventDefault(); promptSearch(); }
      else if (e.ctrlKey && e.keyCode === 73) { e.preventDefault(); toggleIgnoreCase(); }
      else if (e.keyCode === 27) unzoom();
    });
    // A stable handle for scripts and tests driving the graph.
    window.flamegraph = {
      frames: function () { return frames.length; },
      zoom: function (index) { var f = frames[index]; if (f) zoom(f); },
      unzoom: unzoom,
      search: search,
      clearSearch: clearSearch
    };
  }

  if (document.readyState === "complete") init(); else window.addEventListener("load", init);
})();
`;

/** The script text for a CDATA section, with the settings filled in. */
export function interactiveScript(settings: ScriptSettings): string {
  // "]]>" would end the CDATA section; in JSON strings it can be written with an escape.
  const json = JSON.stringify(settings).replace(/]]>/g, ']]\\u003e');
  return body.replace('SETTINGS', json);
}
