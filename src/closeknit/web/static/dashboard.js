// The dashboard's tier chart: hovering or focusing a bar says who is in the tier, beside the chart too.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const out = document.getElementById("tier-hover");
  if (!out) {
    return;
  }
  const show = (bar) => {
    document.querySelectorAll("a.dash-bar.dash-active").forEach((a) => a.classList.remove("dash-active"));
    if (bar) {
      bar.classList.add("dash-active");
      out.textContent = bar.getAttribute("aria-label") || "";
    }
  };
  document.querySelectorAll("a.dash-bar").forEach((bar) => {
    bar.addEventListener("mouseenter", () => show(bar));
    bar.addEventListener("focus", () => show(bar));
  });
});
