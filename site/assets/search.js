/* Search over the static index (search/index.json and the small files beside it,
   catalog/site/search.py): no server, no external request; a query fetches only the
   files it needs. The state lives in the address (?q=...&theme=SOCI&sort=title), so a
   search can be shared and the back button works. */
(function () {
  "use strict";

  /* ---- The search text rule of catalog/textnorm.py (docs/architecture.md, "Search text"):
     lower case, NFKD without nonspacing marks (ñ -> n), runs of letters and digits, stop
     words dropped (the index lists them), Snowball Spanish stems. The index holds each
     dataset's stems and weights, computed by the build with the same rule. */
  var STOP = Object.create(null);
  function fold(s) {
    return String(s || "").toLowerCase().normalize("NFKD").replace(/\p{Mn}/gu, "");
  }
  function words(s) {
    return (fold(s).match(/[\p{L}\p{N}]+/gu) || []).filter(function (w) { return !STOP[w]; });
  }
  function terms(s) { return words(s).map(stem); }

  /* Snowball's Spanish stemmer (https://snowballstem.org/, BSD licence), ported line by line
     from the code Snowball 3.1.1 generates for Python (the snowballstemmer package the build
     uses); tests/test_search_consistency.py compares the two on every word of the demo.
     Like the build, it stems only ASCII words: a folded Spanish word always is. */
  function among(list) {
    return list.split(" ").map(function (e) { var p = e.split(":"); return [p[0], +p[1]]; })
      .sort(function (a, b) { return b[0].length - a[0].length; });
  }
  var VOWELS = "aeiouáéíóúü";
  var A0 = [["á", 1], ["é", 2], ["í", 3], ["ó", 4], ["ú", 5], ["", 6]];
  var A1 = among("la:1 sela:1 le:1 me:1 se:1 lo:1 selo:1 las:1 selas:1 les:1 los:1 selos:1 nos:1");
  var A2 = among("ando:6 iendo:6 yendo:7 ándo:2 iéndo:1 ar:6 er:6 ir:6 ár:3 ér:4 ír:5");
  var A3 = among("ic:1 ad:1 os:1 iv:2");
  var A4 = among("able:1 ible:1 ante:1");
  var A5 = among("ic:1 abil:1 iv:1");
  var A6 = among("ica:1 ancia:2 encia:5 adora:2 osa:1 ista:1 iva:9 anza:1 logía:3 idad:8 able:1 " +
    "ible:1 ante:2 mente:7 amente:6 acion:2 ucion:4 ación:2 ución:4 ico:1 ismo:1 oso:1 amiento:1 " +
    "imiento:1 ivo:9 ador:2 icas:1 ancias:2 encias:5 adoras:2 osas:1 istas:1 ivas:9 anzas:1 " +
    "logías:3 idades:8 ables:1 ibles:1 aciones:2 uciones:4 adores:2 antes:2 icos:1 ismos:1 " +
    "osos:1 amientos:1 imientos:1 ivos:9");
  var A7 = among("ya:1 ye:1 yan:1 yen:1 yeron:1 yendo:1 yo:1 yas:1 yes:1 yais:1 yamos:1 yó:1");
  var A8 = among("aba:2 ada:2 ida:2 ara:2 iera:2 ía:2 aría:2 ería:2 iría:2 ad:2 ed:2 id:2 ase:2 " +
    "iese:2 aste:2 iste:2 an:2 aban:2 aran:2 ieran:2 ían:2 arían:2 erían:2 irían:2 en:1 asen:2 " +
    "iesen:2 aron:2 ieron:2 arán:2 erán:2 irán:2 ado:2 ido:2 ando:2 iendo:2 ar:2 er:2 ir:2 as:2 " +
    "abas:2 adas:2 idas:2 aras:2 ieras:2 ías:2 arías:2 erías:2 irías:2 es:1 ases:2 ieses:2 " +
    "abais:2 arais:2 ierais:2 íais:2 aríais:2 eríais:2 iríais:2 aseis:2 ieseis:2 asteis:2 " +
    "isteis:2 áis:2 éis:1 aréis:2 eréis:2 iréis:2 ados:2 idos:2 amos:2 ábamos:2 áramos:2 " +
    "iéramos:2 íamos:2 aríamos:2 eríamos:2 iríamos:2 emos:1 aremos:2 eremos:2 iremos:2 " +
    "ásemos:2 iésemos:2 imos:2 arás:2 erás:2 irás:2 ís:2 ará:2 erá:2 irá:2 aré:2 eré:2 iré:2 ió:2");
  var A9 = among("a:1 e:2 o:1 os:1 á:1 é:2 í:1 ó:1");

  function stem(word) {
    if (!/^[\x00-\x7f]*$/.test(word)) return word;
    var cur = word, cursor = 0, limit = word.length, limitB = 0, bra = 0, ket = limit;
    var pV = limit, p1 = limit, p2 = limit;
    function isV(i) { return VOWELS.indexOf(cur.charAt(i)) >= 0; }
    function inG() { if (cursor >= limit || !isV(cursor)) return false; cursor++; return true; }
    function outG() { if (cursor >= limit || isV(cursor)) return false; cursor++; return true; }
    function goInG() { while (cursor < limit) { if (!isV(cursor)) return true; cursor++; } return false; }
    function goOutG() { while (cursor < limit) { if (isV(cursor)) return true; cursor++; } return false; }
    function before(ch) { return cursor > limitB && cur.charAt(cursor - 1) === ch; }
    function findB(list) {  // the longest suffix of cur[limitB:cursor] in the list
      for (var i = 0; i < list.length; i++) {
        var s = list[i][0];
        if (cursor - s.length >= limitB && cur.slice(cursor - s.length, cursor) === s) {
          cursor -= s.length; return list[i][1];
        }
      }
      return 0;
    }
    function sliceFrom(s) {
      var adjustment = s.length - (ket - bra);
      cur = cur.slice(0, bra) + s + cur.slice(ket);
      limit += adjustment;
      if (cursor >= ket) cursor += adjustment; else if (cursor > bra) cursor = bra;
      ket = bra + s.length;
    }
    function del() { sliceFrom(""); }
    function RV() { return pV <= cursor; }
    function R2() { return p2 <= cursor; }

    function markRegions() {
      var v1 = cursor;
      (function () {
        var v2 = cursor, ok = false;
        if (inG()) {
          var v3 = cursor;
          if (outG() && goOutG()) { cursor++; ok = true; }
          else { cursor = v3; if (inG() && goInG()) { cursor++; ok = true; } }
        }
        if (!ok) {
          cursor = v2;
          if (!outG()) return;
          var v4 = cursor;
          if (outG() && goOutG()) cursor++;
          else { cursor = v4; if (!inG() || cursor >= limit) return; cursor++; }
        }
        pV = cursor;
      })();
      cursor = v1;
      (function () {
        if (!goOutG()) return; cursor++;
        if (!goInG()) return; cursor++;
        p1 = cursor;
        if (!goOutG()) return; cursor++;
        if (!goInG()) return; cursor++;
        p2 = cursor;
      })();
      cursor = v1;
    }
    function attachedPronoun() {
      ket = cursor;
      if (!findB(A1)) return false;
      bra = cursor;
      var r = findB(A2);
      if (!r || !RV()) return false;
      if (r >= 1 && r <= 5) { bra = cursor; sliceFrom(["iendo", "ando", "ar", "er", "ir"][r - 1]); }
      else if (r === 6) del();
      else { if (!before("u")) return false; cursor--; del(); }
      return true;
    }
    function optional(body) {  // try body; on failure put the cursor back
      var v = limit - cursor;
      if (!body()) cursor = limit - v;
    }
    function standardSuffix() {
      ket = cursor;
      var r = findB(A6);
      if (!r) return false;
      bra = cursor;
      if (r === 6) { if (p1 > cursor) return false; }
      else if (!R2()) return false;
      if (r === 1) del();
      else if (r === 2 || r === 9) {
        del();
        var tail = r === 2 ? "ic" : "at";
        optional(function () {
          ket = cursor;
          if (cur.slice(Math.max(limitB, cursor - 2), cursor) !== tail) return false;
          cursor -= 2; bra = cursor;
          if (!R2()) return false;
          del(); return true;
        });
      }
      else if (r === 3) sliceFrom("log");
      else if (r === 4) sliceFrom("u");
      else if (r === 5) sliceFrom("ente");
      else if (r === 6) {
        del();
        optional(function () {
          ket = cursor;
          var r2 = findB(A3);
          if (!r2) return false;
          bra = cursor;
          if (!R2()) return false;
          del();
          if (r2 === 2) {
            ket = cursor;
            if (cur.slice(Math.max(limitB, cursor - 2), cursor) !== "at") return false;
            cursor -= 2; bra = cursor;
            if (!R2()) return false;
            del();
          }
          return true;
        });
      }
      else {  // 7 and 8
        del();
        optional(function () {
          ket = cursor;
          if (!findB(r === 7 ? A4 : A5)) return false;
          bra = cursor;
          if (!R2()) return false;
          del(); return true;
        });
      }
      return true;
    }
    function yVerbSuffix() {
      if (cursor < pV) return false;
      var saved = limitB;
      limitB = pV; ket = cursor;
      if (!findB(A7)) { limitB = saved; return false; }
      bra = cursor; limitB = saved;
      if (!before("u")) return false;
      cursor--; del();
      return true;
    }
    function verbSuffix() {
      if (cursor < pV) return false;
      var saved = limitB;
      limitB = pV; ket = cursor;
      var r = findB(A8);
      if (!r) { limitB = saved; return false; }
      bra = cursor; limitB = saved;
      if (r === 1) {
        optional(function () {
          if (!before("u")) return false;
          cursor--;
          var v = limit - cursor;
          if (!before("g")) return false;
          cursor--; cursor = limit - v;
          return true;
        });
        bra = cursor;
      }
      del();
      return true;
    }
    function residualSuffix() {
      ket = cursor;
      var r = findB(A9);
      if (!r) return false;
      bra = cursor;
      if (!RV()) return false;
      del();
      if (r === 2) {
        optional(function () {
          ket = cursor;
          if (!before("u")) return false;
          cursor--; bra = cursor;
          var v = limit - cursor;
          if (!before("g")) return false;
          cursor--; cursor = limit - v;
          if (!RV()) return false;
          del(); return true;
        });
      }
      return true;
    }
    function postlude() {
      for (;;) {
        bra = cursor;
        var r = 6;
        for (var i = 0; i < 5; i++) {
          if (cursor < limit && cur.charAt(cursor) === A0[i][0]) { r = A0[i][1]; cursor++; break; }
        }
        ket = cursor;
        if (r < 6) sliceFrom("aeiou".charAt(r - 1));
        else { if (cursor >= limit) break; cursor++; }
      }
    }

    markRegions();
    limitB = cursor; cursor = limit;
    var v = limit - cursor;
    attachedPronoun();
    cursor = limit - v;
    v = limit - cursor;
    if (!standardSuffix()) {
      cursor = limit - v;
      if (!yVerbSuffix()) { cursor = limit - v; verbSuffix(); }
    }
    cursor = limit - v;
    v = limit - cursor;
    residualSuffix();
    cursor = limit - v;
    cursor = limitB;
    postlude();
    return cur;
  }

  /* ---- The index (catalog/site/search.py): small files fetched as a query needs them.
     Datasets are numbers, stable from build to build (a removed dataset leaves a hole);
     the title order is in index.first and order/<k>.json; lists of numbers are text (gaps
     as base-64 varints, or "!" and a bitmap). */
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var DIGIT = Object.create(null);
  for (var a = 0; a < 64; a++) DIGIT[ALPHABET.charAt(a)] = a;
  function varints(text) {
    var out = [], value = 0, shift = 0;
    for (var i = 0; i < text.length; i++) {
      var digit = DIGIT[text.charAt(i)];
      value += (digit & 31) * Math.pow(2, shift);
      if (digit >= 32) shift += 5; else { out.push(value); value = 0; shift = 0; }
    }
    return out;
  }
  function docsOf(text) {
    var out = [], i;
    if (text.charAt(0) === "!") {
      for (i = 1; i < text.length; i++) {
        var bits = DIGIT[text.charAt(i)];
        for (var b = 0; b < 6; b++) if (bits >> b & 1) out.push(6 * (i - 1) + b);
      }
      return out;
    }
    var previous = 0;
    varints(text).forEach(function (gap) { previous += gap; out.push(previous); });
    return out;
  }
  function orderOf(text) {  // numbers in any order: zigzag varints of their differences
    var out = [], previous = 0;
    varints(text).forEach(function (v) { previous += v % 2 ? -(v + 1) / 2 : v / 2; out.push(previous); });
    return out;
  }
  function postingsOf(text) {  // {doc: weight}
    var values = varints(text), found = new Map(), doc = 0;
    for (var i = 0; i < values.length; i += 2) { doc += values[i]; found.set(doc, values[i + 1] / 2); }
    return found;
  }
  function shardOf(term) {
    var prefix = term.slice(0, 3);
    return /^[a-z0-9]{1,3}$/.test(prefix) ? prefix : "_";
  }
  function rareShard(value) {
    var h = 5381;
    for (var ch of value) h = (h * 33 + ch.codePointAt(0)) % 4294967296;
    return h % index.rareShards;
  }

  var base = null, index = null, files = Object.create(null), hole = null;
  function load(name) {  // one file of the index, fetched once
    if (!files[name]) {
      files[name] = fetch(base + name).then(function (response) {
        if (response.status === 404) return {};
        if (!response.ok) throw new Error(response.status);
        return response.json();
      });
      files[name].catch(function () { delete files[name]; });  // try again next time
    }
    return files[name];
  }
  /* A term shard also carries what results show of the datasets its stems rank first
     (under the key ""), so the first results of a word need no other file. */
  function loadShard(name) {
    return load("terms/" + name + ".json").then(function (shard) {
      var shown = shard[""] || {};
      Object.keys(shown).forEach(function (n) { if (!blocks[n]) blocks[n] = rowOf(shown[n]); });
      return shard;
    });
  }
  function rowOf(r) {
    return { id: r[0], url: r[1], title: r[2], description: r[3], modified: r[4], quality: r[5], publisher: r[6], format: r[7] };
  }

  /* ---- Matching and ranking, as the API's search does (catalog/api/search.py): every
     stem of the query must be a stem of the dataset (a word with * or ? matches the stems
     it fits); the score sums idf x weight over the query's stems. Quotes and the API's
     Lucene operators are not read here: the search box takes plain words. */
  function pattern(word) {
    var source = fold(word).replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp("^" + source + "$");
  }
  function parse(q) {
    var wanted = [];
    String(q || "").replace(/["']/g, " ").split(/\s+/).forEach(function (token) {
      if (/[*?]/.test(token)) {
        if (token.replace(/[*?]/g, "")) {
          var literal = fold(token).split(/[*?]/)[0];
          wanted.push({ pattern: pattern(token), prefix: literal });
        }
      } else {
        terms(token).forEach(function (t) { wanted.push({ term: t }); });
      }
    });
    return wanted;
  }
  function shardsFor(w) {  // the term shards a wanted word can be in
    if (w.term) return [shardOf(w.term)];
    var p = w.prefix.slice(0, 3);
    if (/^[a-z0-9]{3}$/.test(p)) return [p, "_"];
    return index.shards.filter(function (s) { return !p || s === "_" || s.slice(0, p.length) === p; });
  }
  /* The datasets a query finds: {doc: score}, or null when it restricts nothing. */
  function find(q) { return findWanted(parse(q)); }
  function findWanted(wanted) {
    if (!wanted.length) return Promise.resolve(null);
    var names = {};
    wanted.forEach(function (w) { shardsFor(w).forEach(function (s) { names[s] = true; }); });
    names = Object.keys(names);
    return Promise.all(names.map(loadShard)).then(function (shards) {
      var found = null, seen = Object.create(null);
      wanted.forEach(function (w) {
        var lists = [];  // postings of the stems this word means
        shards.forEach(function (shard) {
          Object.keys(shard).forEach(function (t) {
            if (t && (w.term ? t === w.term : w.pattern.test(t))) lists.push([t, shard[t]]);
          });
        });
        var these = new Map();
        lists.forEach(function (entry) {
          var postings = postingsOf(entry[1]), first = !seen[entry[0]];
          var idf = Math.log(1 + index.count / (1 + postings.size));
          if (w.term) seen[entry[0]] = true;
          postings.forEach(function (weight, doc) {
            var score = w.term && first ? idf * weight : 0;
            these.set(doc, Math.max(these.get(doc) || 0, score));
          });
        });
        if (found === null) found = these;
        else {
          var next = new Map();
          found.forEach(function (score, doc) { if (these.has(doc)) next.set(doc, score + these.get(doc)); });
          found = next;
        }
      });
      return found;
    });
  }

  /* ---- Facets: the datasets of each value; counts over the datasets found. */
  var facetDocs = null;  // facet -> value -> [doc]
  function loadFacets() {
    return Promise.all(index.facets.map(function (f) { return load("facets/" + f + ".json"); }))
      .then(function (all) {
        facetDocs = {};
        index.facets.forEach(function (f, i) {
          var file = all[i], lists = facetDocs[f] = {};
          if (file.column === undefined) {
            Object.keys(file.values).forEach(function (v) { lists[v] = docsOf(file.values[v]); });
            return;
          }
          // Each dataset's first value (or, with file.sets, its set of values): its
          // number in file.bits bits, packed six a character.
          file.names.forEach(function (v) { lists[v] = []; });
          for (var d = 0; d < index.count; d++) {
            var value = 0;
            for (var j = 0; j < file.bits; j++) {
              var k = d * file.bits + j;
              if (DIGIT[file.column.charAt(Math.floor(k / 6))] >> (k % 6) & 1) value |= 1 << j;
            }
            if (!value) continue;
            if (file.sets) file.sets[value - 1].forEach(function (n) { lists[file.names[n]].push(d); });
            else lists[file.names[value - 1]].push(d);
          }
          Object.keys(file.extra || {}).forEach(function (v) {  // the datasets' other values
            lists[v] = lists[v].concat(docsOf(file.extra[v]));
          });
        });
      });
  }
  /* A facet's less used values (facets/<facet>-more.json), loaded when a reader asks
     for all its values or filters by one of them. */
  var moreLoaded = {};
  function hasMore(facet) { return !!(index.more && index.more[facet]) && !moreLoaded[facet]; }
  function loadMore(facet) {
    if (!hasMore(facet)) return Promise.resolve();
    return load("facets/" + facet + "-more.json").then(function (file) {
      Object.keys(file).forEach(function (v) { facetDocs[facet][v] = docsOf(file[v]); });
      moreLoaded[facet] = true;
    });
  }
  function valueDocs(facet, value) {  // a filter's datasets, a rare value's included
    if (facetDocs[facet][value]) return Promise.resolve(facetDocs[facet][value]);
    if (hasMore(facet)) return loadMore(facet).then(function () { return facetDocs[facet][value] || []; });
    if (facet !== "keyword" || !index.rare) return Promise.resolve([]);
    return load("facets/keyword-" + rareShard(value) + ".json").then(function (rare) {
      return rare[value] ? docsOf(rare[value]) : [];
    });
  }
  var modifiedRank = null;
  function loadModified() {
    if (modifiedRank) return Promise.resolve();
    return load("modified.json").then(function (dates) {
      modifiedRank = new Int32Array(index.count);
      var rank = 0;
      Object.keys(dates).sort().reverse().forEach(function (date) {
        docsOf(dates[date]).forEach(function (d) { modifiedRank[d] = rank++; });
      });
    });
  }
  var blocks = Object.create(null);
  function records(docs, arrived) {  // what results show, by doc number
    // The files in the order of the results (a browser opens a few connections at a
    // time: the first results' files go first); `arrived` is told as each one comes.
    var names = [];
    docs.forEach(function (d) {
      var n = Math.floor(d / index.block);
      if (!blocks[d] && names.indexOf(n) < 0) names.push(n);
    });
    return Promise.all(names.map(function (n) {
      return load("docs/" + n + ".json").then(function (rows) {
        rows.forEach(function (r, i) { if (r) blocks[n * index.block + i] = rowOf(r); });
        if (arrived) arrived();
      });
    })).then(function () { return docs.map(function (d) { return blocks[d]; }); });
  }
  /* The first `needed` of the datasets found (`found`: doc -> true), in title order: from
     index.first when every dataset is found, else from the title order's files, the
     first one, then (if the page is not full yet) all the others at once. */
  function titleOrder(found, total, needed) {
    if (total === index.live && needed <= index.firstDocs.length) {
      return Promise.resolve(index.firstDocs.slice(0, needed));
    }
    function collect(chunks) {
      var out = [];
      chunks.forEach(function (text) {
        orderOf(text).forEach(function (d) { if (found[d] && out.length < needed) out.push(d); });
      });
      return out;
    }
    return load("order/0.json").then(function (first) {
      var out = collect([first]), all = [];
      if (out.length >= Math.min(needed, total) || index.order.files < 2) return out;
      for (var k = 0; k < index.order.files; k++) all.push(load("order/" + k + ".json"));
      return Promise.all(all).then(collect);
    });
  }

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
  var shown = PAGE, expanded = {}, runs = 0;

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
  function labelOf(facet, v) { return (index.labels[facet] && index.labels[facet][v]) || v; }

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

  /* For each facet with a filter, which datasets pass it; a dataset is shown when it is
     found and fails no facet, and counts for a facet's values when it fails at most that one. */
  function filtering(s) {
    var facets = index.facets.filter(function (f) { return s.filters[f].length; });
    return Promise.all(facets.map(function (f) {
      return Promise.all(s.filters[f].map(function (v) { return valueDocs(f, v); })).then(function (lists) {
        var pass = new Uint8Array(index.count);
        lists.forEach(function (docs) { docs.forEach(function (d) { pass[d] = 1; }); });
        return pass;
      });
    })).then(function (passes) {
      var fails = new Uint8Array(index.count), pass = {};
      facets.forEach(function (f, i) {
        pass[f] = passes[i];
        for (var d = 0; d < index.count; d++) if (!passes[i][d]) fails[d]++;
      });
      return { fails: fails, pass: pass };
    });
  }

  /* The results of the address's state: ranked by score (ties by number), by date, or
     in title order (asked for, or no words to rank by). */
  function run() {
    var s = state(), mine = ++runs;
    sortSelect.value = s.sort;
    return Promise.all([find(s.q), filtering(s), s.sort === "modified" ? loadModified() : null]).then(function (got) {
      if (mine !== runs) return;
      var scores = got[0], f = got[1], found = [];
      if (scores === null) { for (var d = 0; d < index.count; d++) if (!f.fails[d] && !hole[d]) found.push({ d: d, score: 1 }); }
      else scores.forEach(function (score, d) { if (!f.fails[d]) found.push({ d: d, score: score }); });
      renderFacets(scores, f, s);
      var needed = Math.min(shown, found.length);
      if (s.sort === "title" || (s.sort === "relevance" && scores === null)) {
        var set = Object.create(null);
        found.forEach(function (r) { set[r.d] = true; });
        return titleOrder(set, found.length, needed).then(function (docs) {
          return renderResults(docs, found.length, mine, s.q);
        });
      }
      if (s.sort === "modified") found.sort(function (a, b) { return modifiedRank[a.d] - modifiedRank[b.d]; });
      else found.sort(function (a, b) { return b.score - a.score || a.d - b.d; });
      return renderResults(found.slice(0, needed).map(function (r) { return r.d; }), found.length, mine, s.q);
    });
  }

  function renderFacets(scores, f, s) {
    facetsBox.textContent = "";
    var active = index.facets.some(function (facet) { return s.filters[facet].length; });
    if (active) {
      var clear = el("button", { type: "button", "class": "link", text: text.clear });
      clear.addEventListener("click", function () {
        index.facets.forEach(function (facet) { s.filters[facet] = []; });
        save(s); shown = PAGE; run();
      });
      facetsBox.appendChild(clear);
    }
    index.facets.forEach(function (facet) {
      var pass = f.pass[facet];
      function counts(d) {
        if (scores !== null && !scores.has(d)) return false;
        return f.fails[d] === 0 || (pass !== undefined && f.fails[d] === 1 && !pass[d]);
      }
      var count = {};
      Object.keys(facetDocs[facet]).forEach(function (v) {
        var n = 0;
        facetDocs[facet][v].forEach(function (d) { if (counts(d)) n++; });
        if (n) count[v] = n;
      });
      s.filters[facet].forEach(function (v) { count[v] = count[v] || 0; });
      var values = Object.keys(count).sort(function (a, b) {
        return count[b] - count[a] || String(labelOf(facet, a)).localeCompare(String(labelOf(facet, b)), lang);
      });
      if (!values.length) return;
      var limit = expanded[facet] ? values.length : TOP_VALUES;
      var list = el("ul");
      values.slice(0, limit).forEach(function (v, i) {
        var id = "f-" + facet + "-" + i;
        var box = el("input", { type: "checkbox", id: id, name: facet, value: v });
        box.checked = s.filters[facet].indexOf(v) >= 0;
        box.addEventListener("change", function () {
          var chosen = s.filters[facet];
          if (box.checked) chosen.push(v); else chosen.splice(chosen.indexOf(v), 1);
          save(s); shown = PAGE;
          run().then(function () {
            var again = document.getElementById(id);
            if (again) again.focus();
          });
        });
        list.appendChild(el("li", {}, [box, el("label", { "for": id, text: labelOf(facet, v) + " (" + count[v] + ")" })]));
      });
      var group = el("fieldset", { "class": "facet" }, [el("legend", { text: text["facet" + facet.charAt(0).toUpperCase() + facet.slice(1)] }), list]);
      if (hasMore(facet)) {  // values not loaded yet: their counts come with them
        var others = el("button", { type: "button", "class": "link", text: text.showMore });
        others.addEventListener("click", function () {
          expanded[facet] = true;
          loadMore(facet).then(run);
        });
        group.appendChild(others);
      } else if (values.length > limit) {
        var all = el("button", { type: "button", "class": "link", text: fill(text.showAll, { count: values.length }) });
        all.addEventListener("click", function () { expanded[facet] = true; run(); });
        group.appendChild(all);
      }
      facetsBox.appendChild(group);
    });
  }

  /* The first `docs` of `total` found, shown with the status that announces them. They
     show as their records come, in order (the first results do not wait for the files of
     the last: on a slow network each round of files costs a round trip);
     results.dataset.first says which query the first ones answer, results.dataset.query
     which query they all answer (for tests and the bench). */
  function renderResults(docs, total, mine, q) {
    var done = 0, started = false;
    function show(all) {
      if (mine !== runs) return;
      if (!started) {
        if (!all && !(docs.length && blocks[docs[0]])) return;
        started = true;
        status.textContent = !total ? text.none : total === 1 ? text.one : fill(text.results, { count: total.toLocaleString(lang) });
        results.textContent = "";
        results.setAttribute("aria-busy", "true");
        results.dataset.first = q;
      }
      for (; done < docs.length && blocks[docs[done]]; done++) results.appendChild(resultItem(blocks[docs[done]]));
    }
    show(false);  // what earlier files (a word's shard, a guess) brought is shown at once
    return records(docs, function () { show(false); }).then(function () {
      show(true);
      if (mine !== runs) return;
      results.removeAttribute("aria-busy");
      results.dataset.query = q;
      more.hidden = total <= shown;
    }, function () {  // a file did not come (the network): say so; the next search asks again
      if (mine !== runs) return;
      if (!started) results.textContent = "";  // not another query's results under this status
      results.removeAttribute("aria-busy");
      status.textContent = text.unloaded;
    });
  }
  function resultItem(d) {
    var meta = [labelOf("publisher", d.publisher), fill(text.updated, { date: longDate(d.modified) }), fill(text.quality, { score: d.quality })];
    return el("li", {}, [
      el("h3", {}, [el("a", { href: d.url, text: d.title })]),
      el("p", { text: d.description }),
      el("p", { "class": "meta", text: meta.join(" · ") + (d.format.length ? " · " + d.format.join(", ").toUpperCase() : "") })
    ]);
  }

  function search() {
    clearTimeout(typing);
    var s = state();
    s.q = input.value.trim();
    s.sort = sortSelect.value;
    save(s); shown = PAGE; return run();
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    search();
  });
  /* Search as you type: each word's shard is fetched as soon as its first three letters
     are known, and the results follow a short pause in typing (one announcement, not
     one a key), so on a slow network the files a query needs are on their way, or
     already here, when the last key is typed. */
  var typing = null, PAUSE = 200;
  input.addEventListener("input", function () {
    if (!index) return;
    prefetch(input.value);
    clearTimeout(typing);
    typing = setTimeout(search, PAUSE);
  });
  function prefetch(q) {
    var loading = [];
    String(q).replace(/["']/g, " ").split(/\s+/).forEach(function (token) {
      var word = fold(token.split(/[*?]/)[0]).replace(/[^\p{L}\p{N}]/gu, "");
      if (word.length < 3 || STOP[word]) return;
      var name = shardOf(word.slice(0, 3));
      if (index.shards.indexOf(name) >= 0) loading.push(loadShard(name));
    });
    Promise.all(loading).then(function () { guess(q); }).catch(function () {});
  }
  /* A query of several words ranks datasets that no single word's shard describes: while
     the last word is typed, the results of its likeliest completion (the stem of its
     shard that starts with what is typed and is in the most datasets) are worked out
     and their records fetched, so they are here, or on their way, at the last key.
     A wrong guess costs a few small files, never a wrong result: run() ranks the
     query as typed. */
  function guess(q) {
    if (input.value !== q || sortSelect.value !== "relevance" || /[*?]/.test(q)) return;
    var tokens = String(q).replace(/["']/g, " ").trim().split(/\s+/);
    if (tokens.length < 2) return;  // one word: its shard has its first results
    var last = tokens.pop(), typed = words(last)[0], wanted = parse(tokens.join(" "));
    if (!wanted.length || !typed || typed.length < 3) return;
    var shard = files["terms/" + shardOf(typed.slice(0, 3)) + ".json"];
    if (!shard) return;
    shard.then(function (terms) {
      var best = stem(typed), size = terms[best] ? terms[best].length : -1;
      Object.keys(terms).forEach(function (t) {
        if (t && t.slice(0, typed.length) === typed && terms[t].length > size) { best = t; size = terms[t].length; }
      });
      if (size < 0) return null;
      return findWanted(wanted.concat([{ term: best }]));
    }).then(function (scores) {
      if (!scores || input.value !== q) return;
      var found = [];
      scores.forEach(function (score, d) { found.push({ d: d, score: score }); });
      found.sort(function (a, b) { return b.score - a.score || a.d - b.d; });
      return records(found.slice(0, PAGE).map(function (r) { return r.d; }));
    }).catch(function () {});
  }
  sortSelect.addEventListener("change", function () {
    var s = state(); s.sort = sortSelect.value; save(s); run();
  });
  more.addEventListener("click", function () { shown += PAGE; run(); });

  status.textContent = text.loading;
  base = form.dataset.index;
  load("index.json").then(function (data) {
    index = data;
    index.stopwords.forEach(function (w) { STOP[w] = true; });
    index.firstDocs = orderOf(index.first);
    hole = new Uint8Array(index.count);
    docsOf(index.holes).forEach(function (d) { hole[d] = 1; });
    input.value = state().q;
    // The matching logic, for tests and the curious: the ids a query finds, best first.
    function ranked(q) {  // the numbers of the datasets a query finds, best first
      return find(q).then(function (scores) {
        var found = [];
        if (scores === null) { for (var d = 0; d < index.count; d++) if (!hole[d]) found.push({ d: d, score: 1 }); }
        else scores.forEach(function (score, d) { found.push({ d: d, score: score }); });
        found.sort(function (a, b) { return b.score - a.score || a.d - b.d; });
        return found.map(function (r) { return r.d; });
      });
    }
    window.catalogSearch = {
      terms: terms,
      numbers: ranked,
      find: function (q) {
        return ranked(q).then(records).then(function (rows) { return rows.map(function (r) { return r.id; }); });
      }
    };
    return loadFacets();
  }).then(function () {
    return run();
  }).catch(function () {
    status.textContent = text.failed;
  });
})();
