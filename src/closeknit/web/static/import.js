// The import page: while an import runs, its progress bar follows GET /api/imports/{id}; when it ends, the page
// reloads to show the summary.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const job = document.getElementById("import-job");
  const bar = document.getElementById("import-progress");
  if (!job || !bar) {
    return;
  }
  const line = document.getElementById("import-line");
  const state = document.getElementById("import-state");
  const url = "/api/imports/" + encodeURIComponent(job.dataset.job || "");
  const poll = async () => {
    let answer;
    try {
      answer = await window.closeknit.send(url, { headers: { Accept: "application/json" } });
    } catch (_) {
      window.setTimeout(poll, 2000);  // the server may be busy: try again
      return;
    }
    if (!answer.ok) {
      return;
    }
    const data = await answer.json();
    if (data.state === "done" || data.state === "failed") {
      window.location.reload();
      return;
    }
    bar.max = data.total || 1;
    bar.value = data.done;
    bar.textContent = data.percent + "%";
    if (line) {
      line.textContent = data.progress;
    }
    if (state) {
      state.textContent = data.state.charAt(0).toUpperCase() + data.state.slice(1) + "…";
    }
    window.setTimeout(poll, 500);
  };
  window.setTimeout(poll, 300);
});
