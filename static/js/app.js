// Small behaviours shared by every page. htmx does the rest.
document.addEventListener("click", function (event) {
  // "Select all" checkbox in a table header ticks every row checkbox in that table.
  var all = event.target.closest("input[data-select-all]");
  if (!all) return;
  var table = all.closest("table");
  table.querySelectorAll("input[type=checkbox][name='" + all.dataset.selectAll + "']").forEach(function (box) {
    box.checked = all.checked;
  });
});
