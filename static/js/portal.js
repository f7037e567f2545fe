/* Portal behaviour. Every page works without it; it only adds conveniences. */
(function () {
  "use strict";
  // Move focus to the error summary so screen-reader users hear the errors first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
})();
