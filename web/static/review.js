// Kiểm tra: the review queue from the keyboard. In a value's box, Enter saves it (unchanged:
// confirmed as read; changed: a correction), ↑/↓ move to the previous or next value, Esc
// leaves the box; outside a box, j/k or ↑/↓ move, Enter confirms, any letter starts typing.
(() => {
  "use strict";
  const pending = () => [...document.querySelectorAll('.review-item[data-pending="yes"]')];
  const all = () => [...document.querySelectorAll(".review-item")];
  const current = () => document.activeElement && document.activeElement.closest(".review-item");

  function enter(item) {
    if (!item) return;
    const input = item.querySelector(".value-input");
    (input || item).focus();
    if (input) input.setSelectionRange(input.value.length, input.value.length);
    item.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  function move(step) {
    const items = all();
    const at = items.indexOf(current());
    const next = items[Math.max(0, Math.min(items.length - 1, at + step))];
    enter(next);
  }

  document.addEventListener("keydown", (e) => {
    const item = current();
    const typing = e.target.matches && e.target.matches(".value-input");
    if (typing) {
      if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
      else if (e.key === "Escape") { e.preventDefault(); item.focus(); }
      return;
    }
    if (e.target.matches && e.target.matches("input, select, textarea, button, a")) return;
    if (e.key === "j" || e.key === "ArrowDown") { e.preventDefault(); move(1); }
    else if (e.key === "k" || e.key === "ArrowUp") { e.preventDefault(); move(-1); }
    else if (e.key === "Enter" && item && item.dataset.pending === "yes") {
      e.preventDefault();
      item.querySelector('button[value="accept"]').click();
    } else if (item && e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
      enter(item);
    }
  });

  // After a decision is swapped in, go on with the next value still waiting.
  document.body.addEventListener("htmx:afterSwap", (e) => {
    const item = e.detail.target && e.detail.target.id ? document.getElementById(e.detail.target.id) : null;
    const swapped = item || e.detail.elt;
    if (swapped && swapped.dataset && swapped.dataset.pending === "yes") { enter(swapped); return; }
    const items = all();
    const at = items.indexOf(swapped);
    const next = items.slice(at + 1).find((i) => i.dataset.pending === "yes") || pending()[0];
    if (next) enter(next);
    else document.getElementById("queue")?.insertAdjacentHTML("afterend",
      '<p class="card">Đã kiểm tra hết các giá trị trên trang này. <a href="">Tải thêm</a></p>');
  });

  enter(pending()[0]);
})();
