// Progressive enhancement only: every console page works without it.
"use strict";

// An alert's page while it waits for its time or goes out: follow
// /console/alerts/{id}/events, held open by the server, and update the
// counts in place at each event (without a script the page reloads). The
// browser's EventSource reconnects by itself, with Last-Event-ID; the
// script keeps no timer of its own.
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
    if (!(p.live === undefined ? p.in_progress : p.live)) {
      source.close();
      var note = box.querySelector("[data-progress-note]");
      if (note) note.textContent = "Invio concluso: ricarica la pagina per il riepilogo completo.";
    }
  });
})();

// The compose page: refresh the phone's preview as the alert is written,
// by posting the form to the same address as the Anteprima button.
(function () {
  var form = document.querySelector("form[data-preview]");
  var target = document.querySelector("[data-preview-target]");
  if (!form || !target || !window.fetch || !window.DOMParser) return;
  var timer = null;
  function refresh() {
    var data = new FormData(form);
    data.delete("allegato");  // a file goes with a button press, not with each keystroke
    var body = new URLSearchParams(data);
    body.set("azione", "anteprima");
    fetch(form.getAttribute("action"), {method: "POST", body: body, credentials: "same-origin"})
      .then(function (response) { return response.text(); })
      .then(function (text) {
        var page = new DOMParser().parseFromString(text, "text/html");
        var fresh = page.querySelector("[data-preview-target]");
        if (fresh) target.innerHTML = fresh.innerHTML;
      })
      .catch(function () { /* the Anteprima button still works */ });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  });
})();
