/* Session-timeout warning (ADR 0021). Reads its settings from data- attributes on <body>, written by
   templates/accounts/partials/session_timeout_attrs.html for signed-in users only. Shows a USWDS warning
   shortly before the 30-minute idle sign-out, offers "Stay signed in" (a keep-alive request restarts the
   server's idle clock) and, when the time is up, goes to the sign-in page. No inline script (CSP). */
(function () {
  "use strict";
  var body = document.body;
  var timeout = parseInt(body.getAttribute("data-session-timeout"), 10);
  var warning = parseInt(body.getAttribute("data-session-warning"), 10);
  var keepaliveUrl = body.getAttribute("data-session-keepalive-url");
  var expiredUrl = body.getAttribute("data-session-expired-url");
  if (!timeout || !keepaliveUrl || !expiredUrl) { return; }
  if (!warning || warning >= timeout) { warning = Math.min(120, Math.floor(timeout / 2)); }

  var warnTimer = null;
  var expireTimer = null;
  var countdownTimer = null;
  var deadline = 0;
  var box = null;

  function minutesText(seconds) {
    var minutes = Math.max(1, Math.ceil(seconds / 60));
    return minutes === 1 ? "1 minute" : minutes + " minutes";
  }

  function buildBox() {
    box = document.createElement("div");
    box.className = "usa-alert usa-alert--warning portal-session-warning";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-labelledby", "session-warning-heading");
    box.setAttribute("aria-describedby", "session-warning-text");
    box.hidden = true;
    box.innerHTML =
      '<div class="usa-alert__body">' +
      '<h2 class="usa-alert__heading" id="session-warning-heading">Your session is about to end</h2>' +
      '<p class="usa-alert__text" id="session-warning-text"></p>' +
      '<button type="button" class="usa-button margin-top-1" data-session-stay>Stay signed in</button>' +
      "</div>";
    var main = document.getElementById("main-content");
    (main || body).insertBefore(box, (main || body).firstChild);
    box.querySelector("[data-session-stay]").addEventListener("click", stay);
  }

  function updateText() {
    var left = Math.round((deadline - Date.now()) / 1000);
    box.querySelector("#session-warning-text").textContent =
      "For your security, you will be signed out in " + minutesText(left) +
      " because you have been inactive. Unsaved changes will be lost.";
  }

  function showWarning() {
    if (!box) { buildBox(); }
    updateText();
    box.hidden = false;
    box.querySelector("[data-session-stay]").focus();
    countdownTimer = window.setInterval(updateText, 15000);
  }

  function hideWarning() {
    if (box) { box.hidden = true; }
    if (countdownTimer) { window.clearInterval(countdownTimer); countdownTimer = null; }
  }

  function expire() {
    window.location.assign(expiredUrl);
  }

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(expireTimer);
    deadline = Date.now() + timeout * 1000;
    warnTimer = window.setTimeout(showWarning, (timeout - warning) * 1000);
    expireTimer = window.setTimeout(expire, timeout * 1000);
  }

  function stay() {
    window.fetch(keepaliveUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.ok && response.headers.get("content-type").indexOf("json") !== -1) {
          hideWarning();
          schedule();
        } else {
          expire();
        }
      })
      .catch(expire);
  }

  schedule();
})();
