// Where the page knows no better (no zone on the account, none from the phone number), a time
// zone select marked data-suggest-browser-zone takes the browser's own zone. An enhancement:
// the person still sees the choice and confirms it; without JavaScript the select says UTC.
(function () {
  "use strict";

  function suggest(root) {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (error) {
      return;
    }
    if (!zone) return;
    root.querySelectorAll("select[data-suggest-browser-zone]").forEach(function (select) {
      if (select.dataset.suggested) return;
      select.dataset.suggested = "true";
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === zone; });
      if (!option) {
        option = new Option(zone.replace(/_/g, " "), zone);
        select.add(option);
      }
      select.value = zone;
    });
  }

  document.addEventListener("DOMContentLoaded", function () { suggest(document); });
  document.addEventListener("htmx:load", function (event) { suggest(event.target); });
})();
