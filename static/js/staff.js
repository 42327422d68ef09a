/* Staff dashboard: keyboard shortcuts and the "editing" presence hint. No text lives here:
   every label is in the templates. Everything works without this file. */
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-row]"));
  }

  function move(step) {
    var all = rows();
    if (!all.length) return;
    var current = all.findIndex(function (row) { return row.classList.contains("is-current"); });
    var next = Math.min(Math.max(current + step, 0), all.length - 1);
    if (current >= 0) all[current].classList.remove("is-current");
    all[next].classList.add("is-current");
    var link = all[next].querySelector("[data-row-link]");
    if (link) link.focus();
  }

  // The shortcuts' list (templates/staff/_nav.html): its link shows it without this file.
  var help = document.getElementById("keyboard-shortcuts");

  function helpShown() {
    return !!help && window.getComputedStyle(help).display !== "none";
  }

  function showHelp(open) {
    if (!help) return;
    help.classList.toggle("is-open", open);
    help.classList.toggle("is-closed", !open);
    if (open) help.focus();
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-shortcuts-toggle]");
    var close = event.target.closest && event.target.closest("[data-shortcuts-close]");
    if (toggle) { showHelp(!helpShown()); event.preventDefault(); }
    else if (close) {
      showHelp(false);
      var link = document.querySelector("[data-shortcuts-toggle]");
      if (link) link.focus();
      event.preventDefault();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === "?") { showHelp(!helpShown()); event.preventDefault(); }
    else if (event.key === "Escape" && helpShown()) { showHelp(false); event.preventDefault(); }
    else if (event.key === "j") { move(1); event.preventDefault(); }
    else if (event.key === "k") { move(-1); event.preventDefault(); }
    else if (event.key === "Enter") {
      var current = document.querySelector("[data-row].is-current [data-row-link]");
      if (current && document.activeElement !== current) { current.click(); event.preventDefault(); }
    } else if (event.key === "/") {
      var search = document.querySelector("[data-shortcut=search]");
      if (search) { search.focus(); event.preventDefault(); }
    } else if (event.key === "n") {
      var note = document.getElementById("note_note");
      if (note) { note.focus(); event.preventDefault(); }
    }
  });

  // Presence: "editing" while any of the case page's text boxes holds unsent text.
  function hasTypedText() {
    return Array.prototype.some.call(
      document.querySelectorAll("#case-page textarea"),
      function (box) { return box.value.trim() !== ""; }
    );
  }

  var announced = false;
  document.addEventListener("input", function (event) {
    if (!event.target.closest || !event.target.closest("#case-page")) return;
    if (!announced && hasTypedText()) {
      announced = true;
      document.body.dispatchEvent(new CustomEvent("staff-editing"));
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "presence") {
      event.detail.parameters.state = hasTypedText() ? "editing" : "viewing";
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "case-page") announced = false;
  });
})();
