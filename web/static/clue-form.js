// The clue form's "add another person": with JavaScript, a new empty row is added in place (no round trip);
// without it, the button submits the form and the server shows it again with one row more.
(function () {
  "use strict";
  var script = document.getElementById("clue-form-script");
  var focus = script && script.getAttribute("data-focus");
  if (focus && document.getElementById(focus)) {
    document.getElementById(focus).focus();
  }
  var button = document.getElementById("add-guardian");
  var count = document.getElementById("guardian_rows");
  if (!button || !count) {
    return;
  }
  var max = parseInt(button.getAttribute("data-max"), 10) || 20;
  button.addEventListener("click", function (event) {
    var rows = document.querySelectorAll("#guardians .guardian-row");
    if (!rows.length || rows.length >= max) {
      return;   // let the server say so
    }
    event.preventDefault();
    var last = rows[rows.length - 1];
    var index = rows.length;
    var row = last.cloneNode(true);
    row.setAttribute("data-row", String(index));
    var pattern = /^guardians-\d+-/;
    row.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach(function (el) {
      ["id", "name", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value && pattern.test(value)) {
          el.setAttribute(attr, value.replace(pattern, "guardians-" + index + "-"));
        }
      });
      el.removeAttribute("aria-describedby");
      el.removeAttribute("aria-invalid");
    });
    row.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
    row.querySelectorAll(".invalid").forEach(function (el) { el.classList.remove("invalid"); });
    row.querySelectorAll("input").forEach(function (el) {
      if (el.type === "checkbox") { el.checked = false; } else { el.value = ""; }
    });
    row.querySelectorAll("select").forEach(function (el) { el.selectedIndex = 0; });
    var title = row.querySelector(".row-title");
    if (title) {
      title.textContent = title.textContent.replace(/\d+/, String(index + 1));
    }
    last.parentNode.insertBefore(row, last.nextSibling);
    count.value = String(index + 1);
    if (index + 1 >= max) {
      button.hidden = true;
    }
    var name = row.querySelector("input[type=text]");
    if (name) { name.focus(); }
  });
})();
