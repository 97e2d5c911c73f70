// Images dropped (or pasted) onto a post's text box join the form's file button.
// Without this file the file button does the same job.
(function () {
  "use strict";

  var ACCEPTED = ["image/png", "image/jpeg", "image/webp", "image/gif"];

  function enhance(form) {
    var input = form.querySelector("input[type=file][data-image-input]");
    var editor = form.querySelector("textarea[name=body]");
    if (!input || !editor || typeof DataTransfer === "undefined") return;
    if (form.dataset.imageDropReady) return;
    form.dataset.imageDropReady = "1";
    var status = document.createElement("p");
    status.className = "field__help image-drop__status";
    status.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", status);
    editor.classList.add("image-drop");

    function describe() {
      var names = Array.prototype.map.call(input.files, function (file) { return file.name; });
      status.textContent = names.join(", ");
    }

    function add(files) {
      var images = Array.prototype.filter.call(files, function (file) {
        return ACCEPTED.indexOf(file.type) !== -1;
      });
      if (!images.length) return false;
      var chosen = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (file) { chosen.items.add(file); });
      images.forEach(function (file) { chosen.items.add(file); });
      input.files = chosen.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      return true;
    }

    function carriesFiles(event) {
      return event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1;
    }

    editor.addEventListener("dragover", function (event) {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      editor.classList.add("image-drop--over");
    });
    editor.addEventListener("dragleave", function () { editor.classList.remove("image-drop--over"); });
    editor.addEventListener("drop", function (event) {
      editor.classList.remove("image-drop--over");
      if (!carriesFiles(event)) return;
      event.preventDefault();
      add(event.dataTransfer.files);
    });
    editor.addEventListener("paste", function (event) {
      var files = event.clipboardData && event.clipboardData.files;
      if (files && files.length && add(files)) event.preventDefault();
    });
    input.addEventListener("change", describe);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-image-drop]").forEach(enhance);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    event.target.querySelectorAll("form[data-image-drop]").forEach(enhance);
  });
})();
