/* Search over the static index (search/index.json): no server, no external request.
   The state lives in the address (?q=...&theme=SOCI&sort=title), so a search can be
   shared and the back button works. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) return;
  var input = document.getElementById("q");
  var sortSelect = document.getElementById("sort");
  var facetsBox = document.getElementById("facets");
  var results = document.getElementById("results");
  var status = document.getElementById("status");
  var more = document.getElementById("more");
  var text = document.getElementById("messages").dataset;
  var lang = document.documentElement.lang || "es";
  var PAGE = 20, TOP_VALUES = 8;
  var index = null, shown = PAGE, expanded = {};

  function fold(s) {
    return String(s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }
  function longDate(iso) {
    var d = new Date(iso + "T12:00:00");
    if (isNaN(d)) return iso;
    return d.toLocaleDateString(lang, { year: "numeric", month: "long", day: "numeric" });
  }

  function state() {
    var params = new URLSearchParams(location.search);
    var filters = {};
    index.facets.forEach(function (f) { filters[f] = params.getAll(f); });
    return { q: params.get("q") || "", sort: params.get("sort") || "relevance", filters: filters };
  }
  function save(s) {
    var params = new URLSearchParams();
    if (s.q) params.set("q", s.q);
    if (s.sort !== "relevance") params.set("sort", s.sort);
    index.facets.forEach(function (f) { s.filters[f].forEach(function (v) { params.append(f, v); }); });
    var query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
  }

  function prepare(d) {
    d._title = fold(d.title);
    d._keywords = fold(d.keywords.join(" "));
    d._columns = fold(d.columns.join(" ").replace(/_/g, " "));
    d._description = fold(d.description);
    d._publisher = fold(d.publisher.map(function (p) { return index.labels.publisher[p]; }).join(" "));
  }
  function score(d, words) {
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      var w = words[i], s = 0;
      if (d._title.indexOf(w) >= 0) s += (" " + d._title).indexOf(" " + w) >= 0 ? 10 : 6;
      if (d._keywords.indexOf(w) >= 0) s += 6;
      if (d._columns.indexOf(w) >= 0) s += 3;
      if (d._description.indexOf(w) >= 0) s += 2;
      if (d._publisher.indexOf(w) >= 0) s += 2;
      if (!s) return 0;
      total += s;
    }
    return total;
  }
  function matches(d, filters, skip) {
    return index.facets.every(function (f) {
      var wanted = filters[f];
      return f === skip || !wanted.length || wanted.some(function (v) { return d[f].indexOf(v) >= 0; });
    });
  }

  function run() {
    var s = state();
    input.value = s.q;
    sortSelect.value = s.sort;
    var words = fold(s.q).split(/\s+/).filter(Boolean);
    var scored = [];
    index.datasets.forEach(function (d) {
      var sc = words.length ? score(d, words) : 1;
      if (sc) scored.push({ d: d, score: sc });
    });
    var found = scored.filter(function (r) { return matches(r.d, s.filters); });
    var byTitle = function (a, b) { return a.d.title.localeCompare(b.d.title, lang); };
    if (s.sort === "title") found.sort(byTitle);
    else if (s.sort === "modified") found.sort(function (a, b) { return a.d.modified < b.d.modified ? 1 : a.d.modified > b.d.modified ? -1 : byTitle(a, b); });
    else found.sort(function (a, b) { return b.score - a.score || byTitle(a, b); });
    renderFacets(scored, s);
    renderResults(found);
  }

  function renderFacets(scored, s) {
    facetsBox.textContent = "";
    var active = index.facets.some(function (f) { return s.filters[f].length; });
    if (active) {
      var clear = el("button", { type: "button", "class": "link", text: text.clear });
      clear.addEventListener("click", function () {
        index.facets.forEach(function (f) { s.filters[f] = []; });
        save(s); shown = PAGE; run();
      });
      facetsBox.appendChild(clear);
    }
    index.facets.forEach(function (facet) {
      var counts = {};
      scored.forEach(function (r) {
        if (!matches(r.d, s.filters, facet)) return;
        r.d[facet].forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
      });
      s.filters[facet].forEach(function (v) { counts[v] = counts[v] || 0; });
      var values = Object.keys(counts).sort(function (a, b) {
        return counts[b] - counts[a] || String(index.labels[facet] && index.labels[facet][a] || a).localeCompare(String(index.labels[facet] && index.labels[facet][b] || b), lang);
      });
      if (!values.length) return;
      var limit = expanded[facet] ? values.length : TOP_VALUES;
      var list = el("ul");
      values.slice(0, limit).forEach(function (v, i) {
        var id = "f-" + facet + "-" + i;
        var box = el("input", { type: "checkbox", id: id, name: facet, value: v });
        box.checked = s.filters[facet].indexOf(v) >= 0;
        box.addEventListener("change", function () {
          var list = s.filters[facet];
          if (box.checked) list.push(v); else list.splice(list.indexOf(v), 1);
          save(s); shown = PAGE; run();
          var again = document.getElementById(id);
          if (again) again.focus();
        });
        var name = (index.labels[facet] && index.labels[facet][v]) || v;
        list.appendChild(el("li", {}, [box, el("label", { "for": id, text: name + " (" + counts[v] + ")" })]));
      });
      var group = el("fieldset", { "class": "facet" }, [el("legend", { text: text["facet" + facet.charAt(0).toUpperCase() + facet.slice(1)] }), list]);
      if (values.length > limit) {
        var all = el("button", { type: "button", "class": "link", text: fill(text.showAll, { count: values.length }) });
        all.addEventListener("click", function () { expanded[facet] = true; run(); });
        group.appendChild(all);
      }
      facetsBox.appendChild(group);
    });
  }

  function renderResults(found) {
    results.textContent = "";
    status.textContent = !found.length ? text.none : found.length === 1 ? text.one : fill(text.results, { count: found.length.toLocaleString(lang) });
    found.slice(0, shown).forEach(function (r) {
      var d = r.d;
      var meta = [index.labels.publisher[d.publisher[0]] || d.publisher[0], fill(text.updated, { date: longDate(d.modified) }), fill(text.quality, { score: d.quality })];
      results.appendChild(el("li", {}, [
        el("h3", {}, [el("a", { href: d.url, text: d.title })]),
        el("p", { text: d.description }),
        el("p", { "class": "meta", text: meta.join(" · ") + (d.format.length ? " · " + d.format.join(", ").toUpperCase() : "") })
      ]));
    });
    more.hidden = found.length <= shown;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var s = state();
    s.q = input.value.trim();
    s.sort = sortSelect.value;
    save(s); shown = PAGE; run();
  });
  sortSelect.addEventListener("change", function () {
    var s = state(); s.sort = sortSelect.value; save(s); run();
  });
  more.addEventListener("click", function () { shown += PAGE; run(); });

  status.textContent = text.loading;
  fetch(form.dataset.index).then(function (response) {
    if (!response.ok) throw new Error(response.status);
    return response.json();
  }).then(function (data) {
    index = data;
    index.datasets.forEach(prepare);
    run();
  }).catch(function () {
    status.textContent = text.failed;
  });
})();
