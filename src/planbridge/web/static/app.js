// PlanBridge pages: copy buttons, the token dialog (focus trap, Escape, fetch with fallback),
// confirmations, and the set-password link code. Every page works without this file.
"use strict";

(function () {
  var FOCUSABLE =
    'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), ' +
    'select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

  function announce(button, text) {
    var original = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", original);
    button.textContent = text;
    button.classList.add("is-done");
    window.setTimeout(function () {
      button.textContent = original;
      button.classList.remove("is-done");
    }, 2000);
  }

  function copy(button) {
    var target = document.querySelector(button.getAttribute("data-copy"));
    if (!target) return;
    var value = target.value || target.textContent;
    var done = function () { announce(button, "Copied"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(value).then(done, function () {
        target.select();
        announce(button, "Press Ctrl+C to copy");
      });
    } else {
      target.focus();
      target.select();
      try {
        document.execCommand("copy");
        done();
      } catch (e) {
        announce(button, "Press Ctrl+C to copy");
      }
    }
  }

  function focusables(container) {
    return Array.prototype.filter.call(container.querySelectorAll(FOCUSABLE), function (el) {
      return el.offsetParent !== null || el === document.activeElement;
    });
  }

  function focusFirst(dialog) {
    var preferred = dialog.querySelector("[data-secret], input:not([type=hidden]), select");
    var first = preferred || focusables(dialog)[0];
    if (first) {
      first.focus();
      if (first.hasAttribute("data-secret")) first.select();
    }
  }

  var initialBodies = {};

  function openDialog(dialog) {
    // Each opening starts from the empty form (reset here, not on close: a late close event
    // must never wipe what is being typed into a dialog opened again).
    var body = dialog.querySelector("[data-dialog-body]");
    if (body && dialog.id in initialBodies && !dialog.open) body.innerHTML = initialBodies[dialog.id];
    if (!dialog.open) dialog.showModal();
    focusFirst(dialog);
  }

  function trapFocus(dialog, event) {
    if (event.key !== "Tab") return;
    var items = focusables(dialog);
    if (!items.length) return;
    var first = items[0];
    var last = items[items.length - 1];
    if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !dialog.contains(document.activeElement))) {
      event.preventDefault();
      first.focus();
    }
  }

  function forgetToken(dialog) {
    // The token leaves the page for good; reloading shows it in the table without the secret.
    var created = dialog.querySelector("[data-token-created]");
    if (!created) return null;
    var done = created.querySelector("[data-done]");
    var href = done ? done.getAttribute("href") : window.location.pathname;
    created.remove();
    return href;
  }

  function submitInDialog(form, dialog) {
    var body = dialog.querySelector("[data-dialog-body]");
    var submit = form.querySelector('button[type="submit"]');
    if (submit) submit.disabled = true;
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "X-PlanBridge-Fragment": "1", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(new FormData(form)).toString(),
    })
      .then(function (response) {
        if (response.status !== 200 && response.status !== 422) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) {
        body.innerHTML = html;
        focusFirst(dialog);
      })
      .catch(function () {
        if (submit) submit.disabled = false;
        form.submit();
      });
  }

  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-copy], [data-open-dialog], [data-close-dialog], [data-done]");
    if (!el) return;
    if (el.hasAttribute("data-copy")) {
      copy(el);
    } else if (el.hasAttribute("data-open-dialog")) {
      var dialog = document.getElementById(el.getAttribute("data-open-dialog"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        openDialog(dialog);
      }
    } else {
      var host = el.closest("dialog");
      if (host) {
        event.preventDefault();
        host.close();
      }
    }
  });

  // A file over the server's limit is refused here, before it is sent (the server says the
  // same with a 413 page when this script does not run).
  function uploadFits(form) {
    var input = form.querySelector("input[type=file][data-max-bytes]");
    var error = form.querySelector("#" + (input ? input.id : "") + "-error");
    if (!input || !input.files || !input.files.length || !error) return true;
    var limit = Number(input.getAttribute("data-max-bytes"));
    var file = input.files[0];
    if (file.size <= limit) {
      error.hidden = true;
      input.removeAttribute("aria-invalid");
      return true;
    }
    var mib = function (n) { return (n / 1048576).toFixed(1) + " MiB"; };
    error.textContent = file.name + " is " + mib(file.size) + ", larger than the " +
      mib(limit) + " an import accepts. Nothing was uploaded. Split the schedule, or leave out " +
      "what PlanBridge does not import (baselines, timephased data, other projects).";
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.focus();
    return false;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    if (form.hasAttribute("data-upload-form") && !uploadFits(form)) {
      event.preventDefault();
      return;
    }
    var dialog = form.closest("dialog");
    if (dialog && form.hasAttribute("data-token-form") && window.fetch) {
      event.preventDefault();
      submitInDialog(form, dialog);
    }
  });

  document.querySelectorAll("dialog").forEach(function (dialog) {
    var initial = dialog.querySelector("[data-dialog-body]");
    if (initial) initialBodies[dialog.id] = initial.innerHTML;
    dialog.addEventListener("keydown", function (event) { trapFocus(dialog, event); });
    dialog.addEventListener("close", function () {
      // Focus returns to the opener natively; a generated token leaves the page for good.
      var href = forgetToken(dialog);
      if (href) window.location.assign(href);
    });
  });

  // A set-password link carries its code after "#": never sent to the server in the URL.
  var code = document.getElementById("code");
  if (code && window.location.hash.length > 1) {
    code.value = decodeURIComponent(window.location.hash.slice(1));
    var wrapper = code.closest("[data-link-code]");
    if (wrapper) wrapper.hidden = true;
    window.history.replaceState(null, "", window.location.pathname);
    var next = document.getElementById("new-password");
    if (next) next.focus();
  }
})();
