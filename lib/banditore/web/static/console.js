// Progressive enhancement only: every console page works without it.
"use strict";

// An alert's page while it goes out: follow /console/alerts/{id}/events
// and update the counts in place (without a script the page reloads).
(function () {
  var box = document.querySelector("[data-events]");
  if (!box || !window.EventSource) return;
  var source = new EventSource(box.getAttribute("data-events"));
  source.addEventListener("progress", function (event) {
    var p = JSON.parse(event.data);
    Object.keys(p.counts).forEach(function (state) {
      var cell = box.querySelector('[data-count="' + state + '"]');
      if (cell) cell.textContent = String(p.counts[state]);
    });
    ["state_label", "rate_per_second", "estimated_end", "waiting_for_limit"].forEach(function (key) {
      var field = box.querySelector('[data-progress="' + key + '"]');
      if (field && p[key] !== null && p[key] !== undefined) field.textContent = String(p[key]);
    });
    if (!p.in_progress) {
      source.close();
      var note = box.querySelector("[data-progress-note]");
      if (note) note.textContent = "Invio concluso: ricarica la pagina per il riepilogo completo.";
    }
  });
})();
