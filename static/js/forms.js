/* Error-summary links: move focus to the control in error and scroll its label or legend into view.
   USWDS hides radio and checkbox inputs off-screen, so following the plain #anchor would scroll to the wrong
   place. Loaded by templates/uswds/errors.html only when a summary is shown; everything works without it. */
(function () {
  "use strict";
  if (window.portalFormsLoaded) {
    return;
  }
  window.portalFormsLoaded = true;

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-error-summary] a[href^='#']") : null;
    if (!link) {
      return;
    }
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) {
      return;
    }
    event.preventDefault();
    var group = target.closest(".usa-form-group, fieldset") || target;
    var legend = group.querySelector("legend, label");
    (legend || group).scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  });
})();
