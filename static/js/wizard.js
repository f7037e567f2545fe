/*
 * The exception application wizard's conveniences (issue 5, point 3). Every step works without this file:
 * the Save / Save & Continue / Save & Close / Back buttons submit the form, every section is visible and the
 * additional-access emails are typed in the textarea. With it:
 *   - answers are autosaved (debounced POST to data-autosave-url with the CSRF token) and the
 *     "All changes saved" indicator says "Saving…", "All changes saved" or "Not saved: fix the errors";
 *   - sections that belong to another answer are hidden (data-show-when / data-show-values);
 *   - additional-access emails become chips, added with Enter or comma;
 *   - the event description shows "N characters remaining";
 *   - "Still persists" disables the end date.
 * No inline script anywhere (a Content Security Policy without unsafe-inline is planned): only data attributes.
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-wizard-form]");
  if (!form) {
    return;
  }

  function debounce(fn, wait) {
    var timer = null;
    var debounced = function () {
      var args = arguments;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        timer = null;
        fn.apply(null, args);
      }, wait);
    };
    debounced.cancel = function () {
      window.clearTimeout(timer);
      timer = null;
    };
    debounced.pending = function () {
      return timer !== null;
    };
    return debounced;
  }

  /* --- conditional sections -------------------------------------------------------------------- */

  function currentValues(name) {
    var values = [];
    var controls = form.querySelectorAll('[name="' + name + '"]');
    Array.prototype.forEach.call(controls, function (control) {
      if (control.type === "radio" || control.type === "checkbox") {
        if (control.checked) {
          values.push(control.value);
        }
      } else if (control.value) {
        values.push(control.value);
      }
    });
    return values;
  }

  function updateConditionals() {
    var sections = form.querySelectorAll("[data-show-when]");
    Array.prototype.forEach.call(sections, function (section) {
      var wanted = (section.getAttribute("data-show-values") || "").split(/\s+/);
      var values = currentValues(section.getAttribute("data-show-when"));
      var show = values.some(function (value) {
        return wanted.indexOf(value) !== -1;
      });
      // A section holding an error stays visible so the error summary's link has somewhere to go.
      if (section.querySelector(".usa-form-group--error, .usa-input--error")) {
        show = true;
      }
      section.hidden = !show;
    });
  }

  /* --- "Still persists" disables the end date ---------------------------------------------------- */

  function updateStillPersists() {
    var persists = form.querySelector('[name="event_still_persists"]');
    if (!persists) {
      return;
    }
    var parts = form.querySelectorAll('[name^="event_end_date_"]');
    Array.prototype.forEach.call(parts, function (input) {
      input.disabled = persists.checked;
    });
  }

  /* --- autosave ---------------------------------------------------------------------------------- */

  var statusEl = document.querySelector("[data-autosave-status]");
  var autosaveUrl = form.getAttribute("data-autosave-url");
  var csrfInput = form.querySelector('[name="csrfmiddlewaretoken"]');
  var inFlight = null;

  function setStatus(text) {
    if (statusEl && statusEl.textContent !== text) {
      statusEl.textContent = text;
    }
    if (statusEl) {
      // The look follows the state: a check mark only when everything really is saved.
      statusEl.classList.toggle("portal-wizard__saved--error", text.indexOf("Not saved") === 0);
      statusEl.classList.toggle("portal-wizard__saved--pending", text.indexOf("Saving") === 0);
    }
  }

  function save() {
    if (!autosaveUrl || !window.fetch) {
      return;
    }
    var data = new FormData(form);
    data.delete("action");
    setStatus("Saving…");
    var request = window
      .fetch(autosaveUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfInput ? csrfInput.value : "", Accept: "application/json" },
      })
      .then(function (response) {
        if (request !== inFlight) {
          return;
        }
        inFlight = null;
        if (response.ok) {
          setStatus("All changes saved");
        } else if (response.status === 400) {
          setStatus("Not saved: fix the errors");
        } else {
          setStatus("Not saved: check your connection and use Save");
        }
      })
      .catch(function () {
        if (request === inFlight) {
          inFlight = null;
          setStatus("Not saved: check your connection and use Save");
        }
      });
    inFlight = request;
  }

  var scheduleSave = debounce(save, 800);

  function changed() {
    updateConditionals();
    updateStillPersists();
    if (autosaveUrl) {
      setStatus("Saving…");
      scheduleSave();
    }
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  var waitingSubmit = false;
  form.addEventListener("submit", function (event) {
    // The button's own POST saves everything: drop a pending autosave, and let one already on its way finish
    // first so the two writes never race (the button's answers are then the last ones stored).
    scheduleSave.cancel();
    if (inFlight && !waitingSubmit) {
      event.preventDefault();
      waitingSubmit = true;
      var submitter = event.submitter;
      var resubmit = function () {
        inFlight = null;
        // form.submit() sends no button value and fires no submit event: carry the button's action ourselves.
        if (submitter && submitter.name) {
          var action = document.createElement("input");
          action.type = "hidden";
          action.name = submitter.name;
          action.value = submitter.value;
          form.appendChild(action);
        }
        form.submit();
      };
      inFlight.then(resubmit, resubmit);
      return;
    }
    inFlight = null;
    // Disabled inputs are not submitted: that is intended for the end date while "Still persists" is checked.
  });

  /* --- additional-access email chips ------------------------------------------------------------- */

  function setupChips(container) {
    var textarea = container.querySelector("textarea");
    if (!textarea) {
      return;
    }
    var max = parseInt(container.getAttribute("data-max") || "50", 10);
    var originalId = textarea.id;
    var group = textarea.closest(".usa-form-group") || container;

    var entry = document.createElement("input");
    entry.type = "email";
    entry.className = "usa-input portal-chips__entry";
    entry.setAttribute("autocomplete", "off");
    entry.setAttribute("spellcheck", "false");
    if (textarea.getAttribute("aria-describedby")) {
      entry.setAttribute("aria-describedby", textarea.getAttribute("aria-describedby"));
    }
    if (textarea.classList.contains("usa-input--error")) {
      entry.classList.add("usa-input--error");
    }
    // The label and the error summary point at the original id: give it to the visible input.
    textarea.id = originalId + "_list";
    entry.id = originalId;
    textarea.hidden = true;
    textarea.setAttribute("aria-hidden", "true");
    textarea.tabIndex = -1;

    var list = document.createElement("ul");
    list.className = "portal-chips";
    list.setAttribute("aria-label", "Email addresses with additional access");

    var live = document.createElement("p");
    live.className = "usa-sr-only";
    live.setAttribute("aria-live", "polite");

    var hint = document.createElement("p");
    hint.className = "usa-hint portal-chips__hint";
    hint.textContent = "Press Enter or type a comma after each address.";

    textarea.parentNode.insertBefore(entry, textarea);
    group.appendChild(hint);
    group.appendChild(list);
    group.appendChild(live);

    function addresses() {
      return textarea.value
        .split(/[\s,;]+/)
        .map(function (value) {
          return value.trim();
        })
        .filter(Boolean);
    }

    function write(items) {
      textarea.value = items.join("\n");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      render();
    }

    function render() {
      list.textContent = "";
      addresses().forEach(function (address) {
        var item = document.createElement("li");
        item.className = "portal-chip";
        var text = document.createElement("span");
        text.textContent = address;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "portal-chip__remove";
        remove.setAttribute("aria-label", "Remove " + address);
        remove.textContent = "×";
        remove.addEventListener("click", function () {
          var lower = address.toLowerCase();
          write(
            addresses().filter(function (value) {
              return value.toLowerCase() !== lower;
            })
          );
          live.textContent = "Removed " + address + ".";
          entry.focus();
        });
        item.appendChild(text);
        item.appendChild(remove);
        list.appendChild(item);
      });
    }

    function addFromEntry() {
      var typed = entry.value
        .split(/[\s,;]+/)
        .map(function (value) {
          return value.trim();
        })
        .filter(Boolean);
      if (!typed.length) {
        entry.value = "";
        return;
      }
      var items = addresses();
      var lowered = items.map(function (value) {
        return value.toLowerCase();
      });
      var added = [];
      typed.forEach(function (address) {
        // De-duplicated case-insensitively, as the server does.
        if (lowered.indexOf(address.toLowerCase()) === -1 && items.length < max) {
          items.push(address);
          lowered.push(address.toLowerCase());
          added.push(address);
        }
      });
      entry.value = "";
      if (items.length >= max && added.length < typed.length) {
        live.textContent = "You can add up to " + max + " email addresses.";
      } else if (added.length) {
        live.textContent = "Added " + added.join(", ") + ". " + items.length + " in total.";
      }
      write(items);
    }

    entry.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === ",") {
        event.preventDefault();
        addFromEntry();
      } else if (event.key === "Backspace" && !entry.value) {
        var items = addresses();
        if (items.length) {
          var last = items.pop();
          write(items);
          live.textContent = "Removed " + last + ".";
        }
      }
    });
    entry.addEventListener("paste", function () {
      window.setTimeout(function () {
        if (/[,;\s]/.test(entry.value)) {
          addFromEntry();
        }
      }, 0);
    });
    entry.addEventListener("blur", addFromEntry);
    // The typed-but-not-added address is not lost when a button is pressed.
    form.addEventListener("submit", addFromEntry, true);
    // Typing in the entry box is not yet an answer: don't autosave on every keystroke there.
    entry.addEventListener("input", function (event) {
      event.stopPropagation();
    });
    render();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-email-chips]"), setupChips);

  /* --- "N characters remaining" -------------------------------------------------------------------- */

  function setupCounter(container) {
    var max = parseInt(container.getAttribute("data-character-count"), 10);
    var field = container.querySelector("textarea");
    var message = container.querySelector("[data-character-count-message]");
    var status = container.querySelector("[data-character-count-status]");
    if (!field || !message || !max) {
      return;
    }
    function text() {
      // Count line breaks as one character, as the server does after normalizing CRLF.
      var used = field.value.replace(/\r\n/g, "\n").length;
      var left = max - used;
      if (left < 0) {
        return -left + (left === -1 ? " character" : " characters") + " over the limit";
      }
      return left + (left === 1 ? " character" : " characters") + " remaining";
    }
    var announce = debounce(function () {
      if (status) {
        status.textContent = text();
      }
    }, 1000);
    field.addEventListener("input", function () {
      message.textContent = text();
      announce();
    });
    message.textContent = text();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-character-count]"), setupCounter);

  updateConditionals();
  updateStillPersists();
})();
