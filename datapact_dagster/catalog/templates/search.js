(function () {
  "use strict";
  var index = JSON.parse(document.getElementById("catalog-index").textContent);
  var query = document.getElementById("q");
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-facet]"));

  function cell(row, text, className) {
    var td = document.createElement("td");
    if (className) { td.className = className; }
    if (text !== null && text !== undefined) { td.textContent = String(text); }
    row.appendChild(td);
    return td;
  }
  function link(td, text, href) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    td.appendChild(a);
  }
  function badge(td, text, className) {
    var span = document.createElement("span");
    span.className = "badge " + className;
    span.textContent = text;
    td.appendChild(span);
  }

  function wanted() {
    var chosen = {};
    selects.forEach(function (s) { if (s.value) { chosen[s.dataset.facet] = s.value; } });
    return chosen;
  }
  function passes(entry, terms, chosen) {
    for (var facet in chosen) {
      var value = facet === "pii" ? (entry.pii ? "yes" : "no") : entry[facet];
      if (value !== chosen[facet]) { return false; }
    }
    return terms.every(function (term) { return entry.text.indexOf(term) !== -1; });
  }

  function tableRow(t) {
    var tr = document.createElement("tr");
    tr.dataset.table = t.table;
    link(cell(tr), t.table, t.href);
    var contract = cell(tr, t.contract + " ");
    var version = document.createElement("span");
    version.className = "muted";
    version.textContent = "v" + t.version;
    contract.appendChild(version);
    badge(cell(tr), t.layer, "layer-" + t.layer);
    cell(tr, t.domain);
    badge(cell(tr), t.status, "status-" + t.status);
    cell(tr, t.owners.join(", "));
    cell(tr, t.columns);
    var pii = cell(tr);
    if (t.pii) { badge(pii, "PII", "pii"); }
    cell(tr, t.description, "wrap");
    return tr;
  }
  function columnRow(c) {
    var tr = document.createElement("tr");
    tr.dataset.column = c.table + "." + c.column;
    link(cell(tr), c.column, c.href);
    cell(tr, c.table);
    cell(tr, c.type);
    var key = cell(tr);
    if (c.key) { badge(key, "PK", "key"); }
    var pii = cell(tr);
    if (c.pii) { badge(pii, c.classification ? "PII · " + c.classification : "PII", "pii"); }
    cell(tr, c.description, "wrap");
    return tr;
  }

  function fill(body, rows) {
    while (body.firstChild) { body.removeChild(body.firstChild); }
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function update() {
    var terms = query.value.toLowerCase().split(/\s+/).filter(Boolean);
    var chosen = wanted();
    var tables = index.tables.filter(function (t) { return passes(t, terms, chosen); });
    fill(document.getElementById("tables-body"), tables.map(tableRow));
    document.getElementById("table-count").textContent =
      tables.length + " of " + index.tables.length;
    document.getElementById("tables").hidden = tables.length === 0;
    var searching = terms.length > 0;
    var columns = searching ? index.columns.filter(function (c) { return passes(c, terms, chosen); }) : [];
    columns.sort(function (a, b) {
      var exact = terms.length === 1 ? (b.column === terms[0]) - (a.column === terms[0]) : 0;
      return exact || 0;
    });
    fill(document.getElementById("columns-body"), columns.map(columnRow));
    document.getElementById("column-count").textContent = columns.length + " found";
    document.getElementById("column-results").hidden = !searching || columns.length === 0;
    document.getElementById("no-match").hidden = tables.length + columns.length > 0;
    var state = terms.length ? "q=" + encodeURIComponent(query.value.trim()) : "";
    try {
      window.history.replaceState(null, "", state ? "#" + state : window.location.pathname);
    } catch (ignored) {
      // Some browsers refuse history changes on file:// pages; the search works without it.
    }
  }

  var start = /^#q=(.*)$/.exec(window.location.hash);
  if (start) { query.value = decodeURIComponent(start[1]); }
  query.addEventListener("input", update);
  selects.forEach(function (s) { s.addEventListener("change", update); });
  update();
})();
