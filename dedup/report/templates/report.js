// Offline filters for the report: reason checkboxes and a search box. No libraries, no
// network; everything works on the markup that is already in the page.
(function () {
  "use strict";
  var search = document.getElementById("doc-search");
  var status = document.getElementById("search-status");
  var docs = Array.prototype.slice.call(document.querySelectorAll("#details .doc"));
  var rows = Array.prototype.slice.call(document.querySelectorAll("#doc-list tbody tr"));
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[data-filter]"));
  var haystacks = null; // lower-cased id + text per document, built on first search

  function applyFilters() {
    var hidden = {};
    boxes.forEach(function (box) { if (!box.checked) { hidden[box.getAttribute("data-filter")] = true; } });
    docs.forEach(function (doc) {
      var lines = doc.querySelectorAll(".line[data-cat]");
      for (var i = 0; i < lines.length; i++) {
        lines[i].hidden = hidden[lines[i].getAttribute("data-cat")] === true;
      }
    });
  }

  function applySearch() {
    var q = search.value.trim().toLowerCase();
    if (haystacks === null) {
      haystacks = docs.map(function (doc) {
        return (doc.getAttribute("data-id") + "\n" + doc.textContent).toLowerCase();
      });
    }
    var shownDocs = 0, shownRows = 0;
    docs.forEach(function (doc, i) {
      var match = q === "" || haystacks[i].indexOf(q) !== -1;
      doc.hidden = !match;
      if (match) { shownDocs++; }
    });
    rows.forEach(function (row) {
      var key = (row.getAttribute("data-id") + " " + row.getAttribute("data-status")).toLowerCase();
      var match = q === "" || key.indexOf(q) !== -1;
      row.hidden = !match;
      if (match) { shownRows++; }
    });
    status.textContent = q === "" ? "" :
      shownDocs + " of " + docs.length + " detailed documents and " + shownRows + " of " +
      rows.length + " listed ids match \u201c" + q + "\u201d";
  }

  var timer = null;
  if (search) {
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(applySearch, 120);
    });
    search.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { clearTimeout(timer); applySearch(); }
    });
  }
  boxes.forEach(function (box) { box.addEventListener("change", applyFilters); });
  applyFilters();
})();
