// Văn bản: pointing at or focusing a value lights its box on the page image (and the reverse).
(() => {
  "use strict";
  const light = (item, on) => {
    const box = item.dataset.box && document.getElementById(item.dataset.box);
    if (!box) return;
    box.classList.toggle("lit", on);
    item.classList.toggle("lit", on);
    if (on) box.scrollIntoView({ block: "nearest", inline: "nearest" });
  };
  for (const item of document.querySelectorAll(".field[data-box]")) {
    item.addEventListener("mouseenter", () => light(item, true));
    item.addEventListener("mouseleave", () => { if (document.activeElement !== item) light(item, false); });
    item.addEventListener("focus", () => light(item, true));
    item.addEventListener("blur", () => light(item, false));
    const box = document.getElementById(item.dataset.box);
    if (box) box.addEventListener("click", () => { item.focus(); item.scrollIntoView({ block: "center" }); });
  }
  const list = [...document.querySelectorAll(".values .field")];
  document.addEventListener("keydown", (e) => {
    if (!list.length || e.target.matches("input, textarea, select")) return;
    const at = list.indexOf(document.activeElement);
    if (e.key === "j" || e.key === "ArrowDown") { e.preventDefault(); list[Math.min(at + 1, list.length - 1)].focus(); }
    if (e.key === "k" || e.key === "ArrowUp") { e.preventDefault(); list[Math.max(at - 1, 0)].focus(); }
  });
  if (location.hash.startsWith("#truong-")) {
    const target = document.getElementById(location.hash.slice(1));
    if (target) { target.closest("details")?.setAttribute("open", ""); target.focus(); }
  }
})();
