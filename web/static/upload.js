// Tải lên: files from the picker or dropped on the zone are sent one at a time (XMLHttpRequest,
// so each has its own progress bar); the server answers each at once, and HTMX polls the
// reading of the accepted ones (/tai-len/trang-thai) into their rows.
(() => {
  "use strict";
  const form = document.getElementById("upload-form");
  const drop = document.getElementById("drop");
  const picker = document.getElementById("files");
  const rows = document.getElementById("file-rows");
  const answers = document.getElementById("answers");
  const ids = document.getElementById("doc-ids");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const queue = [];
  let sending = false;
  let batch = null;

  const mb = (n) => n < 1048576
    ? Math.max(1, Math.round(n / 1024)).toLocaleString("vi-VN") + " KB"
    : (n / 1048576).toLocaleString("vi-VN", { maximumFractionDigits: 1 }) + " MB";

  function cell(tr, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    tr.appendChild(td);
    return td;
  }

  function addFiles(files) {
    for (const file of files) {
      const tr = document.createElement("tr");
      cell(tr, "name").textContent = file.name;
      cell(tr, "num").textContent = mb(file.size);
      const bar = document.createElement("div");
      bar.className = "bar";
      bar.setAttribute("role", "progressbar");
      bar.setAttribute("aria-label", "Tiến trình tải lên " + file.name);
      bar.appendChild(document.createElement("span"));
      cell(tr, "progress").appendChild(bar);
      cell(tr, "answer").textContent = "Đang chờ…";
      cell(tr, "status");
      rows.appendChild(tr);
      queue.push({ file, tr });
    }
    answers.hidden = false;
    pump();
  }

  async function pump() {
    if (sending) return;
    sending = true;
    while (queue.length) {
      const item = queue.shift();
      try {
        await send(item);
      } catch (e) {
        item.tr.querySelector(".answer").textContent = "Không gửi được: " + e.message + ". Hãy thử lại.";
        item.tr.classList.add("failed");
      }
    }
    sending = false;
  }

  async function batchFor(unit) {
    if (batch && batch.unit === unit) return batch.id;
    const body = new FormData();
    body.append("unit_id", unit);
    const answer = await fetch("/tai-len/dot", { method: "POST", body, headers: { "X-CSRF-Token": csrf } });
    if (!answer.ok) throw new Error(await reason(answer));
    batch = { unit, id: (await answer.json()).batch_id };
    return batch.id;
  }

  async function reason(response) {
    try { return (await response.json()).detail || response.statusText; } catch { return response.statusText; }
  }

  async function send({ file, tr }) {
    const unit = form.elements.unit_id.value;
    const body = new FormData();
    body.append("unit_id", unit);
    body.append("batch_id", await batchFor(unit));
    body.append("dossier_code", form.elements.dossier_code.value.trim());
    body.append("person", form.elements.person.value.trim());
    body.append("file", file, file.name);
    const fill = tr.querySelector(".bar > span");
    const answer = tr.querySelector(".answer");
    answer.textContent = "Đang tải lên…";
    const reply = await new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/tai-len/tep");
      xhr.setRequestHeader("X-CSRF-Token", csrf);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) fill.style.width = (100 * e.loaded / e.total) + "%"; };
      xhr.onload = () => {
        let data = null;
        try { data = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300 && data) resolve(data);
        else reject(new Error((data && data.detail) || ("lỗi " + xhr.status)));
      };
      xhr.onerror = () => reject(new Error("mất kết nối"));
      xhr.send(body);
    });
    fill.style.width = "100%";
    tr.classList.add("outcome-" + reply.outcome);
    tr.dataset.outcome = reply.outcome;
    answer.innerHTML = reply.html;
    const id = reply.document_id || (reply.duplicate_of && reply.duplicate_of.document_id);
    if (id) {
      tr.dataset.documentId = id;
      const status = tr.querySelector(".status");
      status.classList.add("st-" + id);
      if (reply.outcome === "rejected") status.textContent = "—";
      else { status.textContent = "…"; follow(id); }
    }
  }

  // Add a document to those polled, and (re)start polling: HTMX stops it (status 286) once
  // every document is done, so a fresh poller is put in place for new ones.
  function follow(id) {
    const known = ids.value ? ids.value.split(",") : [];
    if (!known.includes(String(id))) known.push(String(id));
    ids.value = known.join(",");
    const old = document.getElementById("poller");
    const fresh = old.cloneNode(false);
    old.replaceWith(fresh);
    if (window.htmx) window.htmx.process(fresh);
  }

  drop.addEventListener("click", () => picker.click());
  drop.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); picker.click(); } });
  picker.addEventListener("change", () => { addFiles(picker.files); picker.value = ""; });
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (e) => { e.preventDefault(); drop.classList.add("over"); });
  }
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer && e.dataTransfer.files.length) addFiles(e.dataTransfer.files);
  });
  // Files dropped anywhere else would make the browser leave the page.
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());
})();
