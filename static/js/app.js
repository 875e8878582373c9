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

// Buttons that act on ticked rows ([data-needs-selection]) are enabled only while some are ticked,
// and [data-selection-count] says how many.
function updateSelection(form) {
  if (!form) return;
  var ticked = form.querySelectorAll("input[type=checkbox][name=ids]:checked").length;
  form.querySelectorAll("[data-needs-selection]").forEach(function (button) { button.disabled = ticked === 0; });
  var counter = form.querySelector("[data-selection-count]");
  if (counter) counter.textContent = ticked ? ticked + " ticked" : "No rows ticked";
}
document.addEventListener("change", function (event) {
  if (event.target.matches("input[type=checkbox]")) updateSelection(event.target.closest("form"));
});
document.addEventListener("click", function (event) {
  if (event.target.matches("input[data-select-all]")) updateSelection(event.target.closest("form"));
});
// A bulk action changed rows: reload the list as the address bar has it.
document.addEventListener("connectionsChanged", function () {
  if (window.htmx && document.getElementById("results")) htmx.ajax("GET", window.location.href, { target: "#results" });
});
// A drop-down of tick boxes closes when you click elsewhere.
document.addEventListener("click", function (event) {
  document.querySelectorAll("details.dropdown[open]").forEach(function (menu) {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});
// Its summary names what is ticked in a drop-down of tick boxes.
document.addEventListener("change", function (event) {
  var menu = event.target.closest("details.dropdown");
  if (!menu) return;
  var summary = menu.querySelector("summary");
  summary.querySelectorAll(".picked").forEach(function (span) { span.remove(); });
  var placeholder = summary.querySelector(".placeholder");
  menu.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
    var span = document.createElement("span");
    span.className = "picked";
    span.textContent = box.parentElement.textContent.trim();
    summary.insertBefore(span, placeholder);
  });
});
// A form that cannot be undone asks first: [data-confirm] holds the question.
document.addEventListener("submit", function (event) {
  var question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
