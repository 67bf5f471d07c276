// Evening session page: while the session is open, the progress table refreshes every few seconds.
(function () {
  "use strict";
  var box = document.getElementById("session");
  if (!box || box.dataset.status !== "open") return;
  var body = document.querySelector("#progress tbody");
  function cell(row, text) { var td = document.createElement("td"); td.textContent = text; row.appendChild(td); }
  function refresh() {
    fetch(box.dataset.progressUrl, {credentials: "same-origin"}).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (data) {
      if (!data) return;
      body.textContent = "";
      data.people.forEach(function (p) {
        var row = document.createElement("tr");
        [p.name, p.started, p.finished, p.passed, p.best === null ? "—" : p.best, p.active ? "演练中" : ""]
          .forEach(function (v) { cell(row, String(v)); });
        body.appendChild(row);
      });
      if (data.status !== "open") window.location.reload();
    }).catch(function () { /* try again at the next tick */ });
  }
  setInterval(refresh, 4000);
})();
