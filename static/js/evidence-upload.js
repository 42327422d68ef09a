// Enhances the "Add proof" form: drop files onto a row, and see a progress bar while the
// upload runs. Without this file the form is a plain multipart POST and works the same.
(function () {
  "use strict";

  function enhance(form) {
    var progress = form.querySelector(".upload-progress");
    form.querySelectorAll(".drop-zone").forEach(function (zone) {
      var input = zone.querySelector("input[type=file]");
      if (!input) return;
      zone.addEventListener("dragover", function (event) {
        event.preventDefault();
        zone.classList.add("is-dragging");
      });
      zone.addEventListener("dragleave", function () {
        zone.classList.remove("is-dragging");
      });
      zone.addEventListener("drop", function (event) {
        event.preventDefault();
        zone.classList.remove("is-dragging");
        var dropped = event.dataTransfer && event.dataTransfer.files;
        if (!dropped || !dropped.length) return;
        // Several files dropped on one row fill that row and the empty rows after it.
        var inputs = Array.prototype.slice.call(form.querySelectorAll(".drop-zone input[type=file]"));
        var start = inputs.indexOf(input);
        Array.prototype.forEach.call(dropped, function (file, offset) {
          var target = inputs[start + offset];
          if (!target) return;
          var transfer = new DataTransfer();
          transfer.items.add(file);
          target.files = transfer.files;
        });
      });
    });

    if (!progress || !window.XMLHttpRequest || !window.FormData) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      progress.hidden = false;
      progress.value = 0;
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
      });
      request.addEventListener("load", function () {
        // Success names the next page (HX-Redirect): go there, where its messages show.
        var next = request.getResponseHeader("HX-Redirect");
        if (next) {
          window.location.assign(next);
          return;
        }
        // Errors come back as the page: show it as it is.
        if (request.responseURL && request.responseURL !== form.action) {
          window.location.assign(request.responseURL);
        } else {
          document.open();
          document.write(request.responseText);
          document.close();
        }
      });
      request.addEventListener("error", function () {
        form.submit();
      });
      request.send(new FormData(form));
    });
  }

  document.querySelectorAll("form.evidence-upload").forEach(enhance);
})();
