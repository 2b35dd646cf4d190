// Closeknit's own script: confirmations, filters that apply on change, and the CSRF header for fetch().
"use strict";

const closeknit = {
  csrf() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  },
  // fetch() with the session cookie and the CSRF token, as every state-changing call needs.
  send(url, options = {}) {
    const headers = new Headers(options.headers || {});
    headers.set("X-CSRF-Token", closeknit.csrf());
    return fetch(url, { credentials: "same-origin", ...options, headers });
  },
};
window.closeknit = closeknit;

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLElement && field.dataset.autosubmit !== undefined && field.form) {
    field.form.requestSubmit();
  }
});
