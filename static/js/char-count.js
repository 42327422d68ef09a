// Counters for fields with a length limit ("120 / 300"): an enhancement, the server checks
// the limit and says what is too long. Numbers only, no text: the limit is in the help text.
(function () {
  "use strict";

  function update(counter) {
    var field = document.getElementById(counter.dataset.countFor);
    if (!field) return;
    var limit = parseInt(field.dataset.maxlength, 10);
    var length = field.value.length;
    counter.textContent = length + " / " + limit;
    counter.classList.toggle("char-count-over", length > limit);
    counter.hidden = false;
  }

  function updateAll(root) {
    root.querySelectorAll("[data-count-for]").forEach(update);
  }

  document.addEventListener("input", function (event) {
    var id = event.target && event.target.id;
    if (!id) return;
    document.querySelectorAll('[data-count-for="' + id + '"]').forEach(update);
  });
  document.addEventListener("DOMContentLoaded", function () { updateAll(document); });
  document.addEventListener("htmx:load", function (event) { updateAll(event.target); });
})();
