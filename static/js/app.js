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
function nameTicked(menu) {
  var summary = menu.querySelector("summary");
  if (menu.hasAttribute("data-count-summary")) {  // a list's columns: how many, not which
    var boxes = menu.querySelectorAll("input[type=checkbox]");
    var on = menu.querySelectorAll("input[type=checkbox]:checked").length;
    summary.textContent = on + " of " + boxes.length + " shown";
    return;
  }
  summary.querySelectorAll(".picked").forEach(function (span) { span.remove(); });
  var placeholder = summary.querySelector(".placeholder");
  menu.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
    var span = document.createElement("span");
    span.className = "picked";
    span.textContent = box.parentElement.textContent.trim();
    summary.insertBefore(span, placeholder);
  });
}
document.addEventListener("change", function (event) {
  var menu = event.target.closest("details.dropdown");
  if (menu) nameTicked(menu);
});

// A list's filters say what its address says. htmx's history puts back the page as it was drawn,
// and a drawn input keeps the value it was drawn with, not what was typed since: after Back, the
// rows were the search's but the search box was empty, and the next tick dropped the search.
function formFromAddress() {
  var form = document.querySelector("form.filters");
  if (!form) return;
  var params = new URLSearchParams(window.location.search);
  // The columns the address names that are this list's (none: the list's own columns, as the server does).
  var cols = params.getAll("cols").join(",").split(",");
  var colsChosen = Array.prototype.some.call(form.elements, function (field) {
    return field.name === "cols" && cols.indexOf(field.value) !== -1;
  });
  Array.prototype.forEach.call(form.elements, function (field) {
    if (!field.name || field.type === "submit" || field.type === "button" || field.hasAttribute("data-keep")) return;
    var values = params.getAll(field.name);
    if (field.name === "cols") values = cols;  // may come as one comma-separated value: ?cols=status,carrier
    if (field.name === "cols" && !colsChosen) {
      field.checked = field.dataset.default === "on";  // the address chose no columns: the list's own
    } else if (field.type === "checkbox" || field.type === "radio") {
      field.checked = values.indexOf(field.value) !== -1;
    } else if (field.type === "hidden") {
      if (values.length) field.value = values[0];  // the sort: kept as drawn when the address has none
    } else if (field.multiple) {
      Array.prototype.forEach.call(field.options, function (option) { option.selected = values.indexOf(option.value) !== -1; });
    } else {
      // Not in the address: the field's default ([data-default], e.g. 50 rows a page), else empty.
      field.value = values.length ? values[0] : (field.dataset.default || "");
      if (field.tagName === "SELECT" && field.selectedIndex === -1) field.selectedIndex = 0;
    }
  });
  form.querySelectorAll("details.dropdown").forEach(nameTicked);
  countFiltersSet(form);
  // Ticks are not in the address: a page come back to starts with none.
  document.querySelectorAll("input[type=checkbox][name=ids], input[data-select-all]").forEach(function (box) { box.checked = false; });
  document.querySelectorAll("form").forEach(updateSelection);
}
document.addEventListener("htmx:historyRestore", formFromAddress);

// The phone's Filters button says how many filters are set, as the form has them now: a folded filter
// still narrows the rows. The search box (in sight), page size, columns and sort are not filters.
var NOT_FILTERS = ["q", "per_page", "cols", "sort"];
function countFiltersSet(form) {
  var label = form.querySelector("[data-filters-toggle]");
  if (!label) return;
  var set = {};
  Array.prototype.forEach.call(form.elements, function (field) {
    if (!field.name || field.type === "hidden" || field.disabled || NOT_FILTERS.indexOf(field.name) !== -1) return;
    // A field's own default ([data-default]) or a drop-down's first choice ("Any status") is not a filter set.
    var fallback = field.dataset.default;
    var on = field.type === "checkbox" || field.type === "radio" ? field.checked
      : field.multiple ? field.selectedOptions.length > 0
      : fallback !== undefined ? field.value !== fallback
      : field.tagName === "SELECT" ? field.selectedIndex > 0 : field.value !== "";
    if (on) set[field.name] = true;
  });
  var n = Object.keys(set).length;
  label.textContent = n ? "Filters (" + n + " set)" : "Filters";
}
document.addEventListener("change", function (event) {
  var form = event.target.closest("form.filters");
  if (form) countFiltersSet(form);
});
window.addEventListener("pageshow", formFromAddress);

// Live regions ([data-live-seconds]: the dashboard, the attention queue) reload themselves from the
// address every so many seconds, but only while the tab is in view and nobody is in the middle of
// something a reload would undo: typing in a field, rows ticked, a menu open.
(function () {
  var lastRefresh = Date.now();
  function busy() {
    var active = document.activeElement;
    if (active && active.matches("input:not([type=checkbox]):not([type=radio]), textarea, select")) return true;
    return Boolean(document.querySelector("input[type=checkbox][name=ids]:checked, details.dropdown[open]"));
  }
  function refresh(region) {
    var target = "#" + region.id;
    // A list's results come back as its results partial; any other region is picked out of the whole page.
    var options = region.id === "results" ? { target: target } : { target: target, select: target, swap: "outerHTML" };
    htmx.ajax("GET", window.location.href, options);
  }
  setInterval(function () {
    var region = document.querySelector("[data-live-seconds]");
    if (!region || !window.htmx || document.hidden || busy()) return;
    if (Date.now() - lastRefresh < Number(region.dataset.liveSeconds) * 1000) return;
    lastRefresh = Date.now();
    refresh(region);
  }, 1000);
})();
// A form that cannot be undone asks first: [data-confirm] holds the question.
document.addEventListener("submit", function (event) {
  var question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

// "Save this view" keeps the filters on screen: the address says them (htmx pushed it as they changed).
document.addEventListener("submit", function (event) {
  var form = event.target.closest("form[data-query-from-address]");
  if (form) form.querySelector("input[name=query]").value = window.location.search.replace(/^\?/, "");
});
// A button with data-dismiss="<selector>" removes the nearest enclosing element that matches it
// (the bulk retry's outcome card). A listener here, as the Content-Security-Policy runs no onclick="".
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-dismiss]");
  if (!button) return;
  var target = button.closest(button.dataset.dismiss);
  if (target) target.remove();
});

// Phone width: the Menu button opens the navigation; the Filters button unfolds a list's filters.
document.addEventListener("click", function (event) {
  var menu = event.target.closest("[data-menu-toggle]");
  if (menu) {
    var open = menu.closest(".site-header").classList.toggle("menu-open");
    menu.setAttribute("aria-expanded", String(open));
  }
  var filters = event.target.closest("[data-filters-toggle]");
  if (filters) {
    var unfolded = filters.closest("form.filters").classList.toggle("open");
    filters.setAttribute("aria-expanded", String(unfolded));
  }
});

// A box that scrolls sideways (a wide table on a phone) takes keyboard focus when nothing in it can,
// so that the arrow keys can scroll it; one that fits the screen stays out of the tab order.
function focusableScrollers() {
  document.querySelectorAll(".table-wrap, .chart-scroll").forEach(function (box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
    var focusable = box.querySelector("a[href], button, input, select, textarea, [tabindex]");
    if (scrolls && !focusable) box.setAttribute("tabindex", "0");
    else if (box.getAttribute("tabindex") === "0" && !scrolls) box.removeAttribute("tabindex");
  });
}
document.addEventListener("DOMContentLoaded", focusableScrollers);
document.addEventListener("htmx:afterSettle", focusableScrollers);
window.addEventListener("resize", focusableScrollers);
