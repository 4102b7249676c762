// Progressive enhancement only: every page works without this file. It reveals a
// follow-up in place when its answer is chosen, offers a print button, and moves focus
// to the error summary. No data leaves the page and nothing is stored.
//
// Each checklist page was the answer to a POST: its history entry is turned into a plain
// visit of the first page, so that Back or a reload (after a result, on a shared tablet)
// opens an empty checklist instead of sending an earlier person's answers again.
(function () {
  "use strict";
  if (window.location.pathname === "/checklist" && window.history.replaceState) {
    window.history.replaceState(null, "", "/");
  }
  function update(block) {
    var name = block.getAttribute("data-reveal-name");
    var value = block.getAttribute("data-reveal-value");
    var chosen = document.querySelector('input[name="' + name + '"]:checked');
    block.hidden = !(chosen && chosen.value === value);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var blocks = document.querySelectorAll("[data-reveal-name]");
    Array.prototype.forEach.call(blocks, function (block) {
      update(block);
      var radios = document.querySelectorAll('input[name="' + block.getAttribute("data-reveal-name") + '"]');
      Array.prototype.forEach.call(radios, function (radio) {
        radio.addEventListener("change", function () { update(block); });
      });
    });
    var print = document.getElementById("print-button");
    if (print) {
      print.hidden = false;
      print.addEventListener("click", function () { window.print(); });
    }
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
