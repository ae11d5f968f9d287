/* libpolis web: searchable multi-select pickers (no framework; htmx fetches the options).
   Progressive enhancement of a <select multiple>: the chosen options become chips with a
   hidden input each and a remove button; a search box fetches matching options
   (GET /pickers/<kind>?q=...), which a click, Enter or Space adds. Enter in the search box
   adds the first match instead of sending the form. */
(function () {
  "use strict";

  function say(picker, text) {
    var s = picker.querySelector("[aria-live]");
    if (s) { s.textContent = text; }
  }

  function addChip(picker, id, label, announce) {
    var field = picker.dataset.field, chips = picker.querySelector(".chips");
    if (chips.querySelector('input[value="' + CSS.escape(String(id)) + '"]')) { return; }
    var li = document.createElement("li");
    li.className = "chip";
    var input = document.createElement("input");
    input.type = "hidden"; input.name = field; input.value = id;
    var text = document.createElement("span");
    text.textContent = label;
    var remove = document.createElement("button");
    remove.type = "button"; remove.className = "chip-remove";
    remove.setAttribute("aria-label", (picker.dataset.removeWord || "Remove") + " " + label);
    remove.textContent = "×";
    li.appendChild(input); li.appendChild(text); li.appendChild(remove);
    chips.appendChild(li);
    if (announce) { say(picker, (picker.dataset.addedWord || "Added") + ": " + label); }
  }

  function init(picker) {
    var select = picker.querySelector("select.picker-fallback");
    var ui = picker.querySelector(".picker-ui");
    if (!select || !ui) { return; }
    Array.prototype.forEach.call(select.selectedOptions, function (o) {
      addChip(picker, o.value, o.textContent, false);
    });
    select.remove();  // its name no longer submits: the chips' hidden inputs do
    ui.hidden = false;
    var search = ui.querySelector("input[type=search]");
    picker.addEventListener("click", function (e) {
      var pick = e.target.closest("button.pick");
      if (pick) { addChip(picker, pick.dataset.pick, pick.dataset.label, true); return; }
      var remove = e.target.closest("button.chip-remove");
      if (remove) {
        var label = remove.previousSibling.textContent;
        remove.closest("li").remove();
        say(picker, (picker.dataset.removedWord || "Removed") + ": " + label);
        search.focus();
      }
    });
    search.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") { return; }
      e.preventDefault();  // Enter here picks; it never sends the half-filled form
      var first = ui.querySelector("button.pick");
      if (first) { addChip(picker, first.dataset.pick, first.dataset.label, true); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".picker").forEach(init);
  });
})();
