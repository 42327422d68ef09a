// "Copy" beside a read-only field: an enhancement. Without JavaScript the button stays hidden
// and the person selects the address. No text here: the button carries its message.
(function () {
  "use strict";

  function show(root) {
    if (!navigator.clipboard) return;
    root.querySelectorAll("button[data-copy][hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.dataset.copy);
    if (!field) return;
    var status = button.closest(".field") && button.closest(".field").querySelector(".copy-status");
    navigator.clipboard.writeText(field.value).then(function () {
      if (status) status.textContent = button.dataset.copied || "";
    }, function () {
      field.select();
    });
  });
  document.addEventListener("DOMContentLoaded", function () { show(document); });
  document.addEventListener("htmx:load", function (event) { show(event.target); });
})();
