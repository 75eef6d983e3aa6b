// Creator studio: resumable chunked uploads and track ordering.
// Protocol: docs/adr/0008-resumable-uploads.md. Listeners are delegated on document because
// htmx's boosted navigation swaps pages in without re-running this module.
const STORE = "ting:upload:";
const RETRY_STATUSES = new Set([0, 408, 423, 429, 500, 502, 503, 504]);
const MAX_BACKOFF_S = 30;

function csrfToken() {
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (input) return input.value;
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? String(values[key]) : ""));
}

function formatBytes(bytes) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function formatSeconds(seconds) {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

function send(method, url, { body = null, headers = {}, onProgress = null, onStart = null } = {}) {
  // XMLHttpRequest, not fetch: only it reports upload progress.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    if (onStart) onStart(xhr);
    xhr.open(method, url);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    if (onProgress) xhr.upload.addEventListener("progress", (event) => onProgress(event.loaded));
    xhr.addEventListener("load", () => resolve(xhr));
    xhr.addEventListener("error", () => reject(new Error("network")));
    xhr.addEventListener("timeout", () => reject(new Error("timeout")));
    xhr.addEventListener("abort", () => reject(new Error("abort")));
    xhr.send(body);
  });
}

function json(xhr) {
  try {
    return JSON.parse(xhr.responseText || "{}");
  } catch {
    return {};
  }
}

function waitOrOnline(seconds) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      window.removeEventListener("online", done);
      resolve();
    };
    const timer = setTimeout(done, seconds * 1000);
    window.addEventListener("online", done);
  });
}

class FileUpload {
  constructor(file, zone) {
    this.file = file;
    this.zone = zone;
    this.i18n = zone.dataset;
    this.chunk = Number(zone.dataset.chunkSize) || 4 * 1024 * 1024;
    this.key = `${STORE}${zone.dataset.album}:${file.name}:${file.size}:${file.lastModified}`;
    this.url = null;
    this.offset = null;
    this.cancelled = false;
    this.xhr = null;
    this.samples = [];
    this.render();
  }

  render() {
    const item = document.createElement("li");
    item.className = "upload-item";
    item.dataset.uploadItem = "";
    const name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = this.file.name;
    this.cancelButton = document.createElement("button");
    this.cancelButton.type = "button";
    this.cancelButton.className = "link-button";
    this.cancelButton.textContent = this.i18n.i18nCancel;
    this.cancelButton.addEventListener("click", () => this.cancel());
    this.bar = document.createElement("progress");
    this.bar.max = 100;
    this.bar.value = 0;
    this.bar.setAttribute("aria-label", this.file.name);
    this.stats = document.createElement("span");
    this.stats.className = "upload-stats";
    this.stats.dataset.uploadStats = "";
    this.stats.textContent = this.i18n.i18nWaiting;
    this.result = document.createElement("div");
    this.result.className = "upload-result";
    item.append(name, this.cancelButton, this.bar, this.stats, this.result);
    this.item = item;
    this.zone.querySelector("[data-upload-list]").append(item);
  }

  progress(sent) {
    const now = performance.now();
    this.samples.push([now, sent]);
    while (this.samples.length > 2 && now - this.samples[0][0] > 5000) this.samples.shift();
    const [t0, b0] = this.samples[0];
    const speed = now > t0 ? ((sent - b0) * 1000) / (now - t0) : 0;
    const percent = this.file.size ? Math.floor((100 * sent) / this.file.size) : 100;
    this.bar.value = percent;
    this.stats.textContent = fill(this.i18n.i18nProgress, {
      percent,
      speed: formatBytes(speed),
      left: speed > 0 ? formatSeconds((this.file.size - sent) / speed) : "--:--",
    });
  }

  fail(message) {
    this.item.classList.add("failed");
    this.stats.textContent = message;
    this.cancelButton.hidden = true;
    localStorage.removeItem(this.key);
  }

  async cancel() {
    this.cancelled = true;
    if (this.xhr) this.xhr.abort();
    this.cancelButton.hidden = true;
    this.stats.textContent = this.i18n.i18nCancelled;
    localStorage.removeItem(this.key);
    if (this.url) {
      try {
        await send("DELETE", this.url);
      } catch {
        // The stale-upload cleanup removes it within a day.
      }
    }
  }

  async create() {
    const xhr = await send("POST", this.zone.dataset.createUrl, {
      body: JSON.stringify({
        album: Number(this.zone.dataset.album),
        filename: this.file.name,
        size: this.file.size,
        last_modified: this.file.lastModified,
      }),
      headers: { "Content-Type": "application/json" },
    });
    if (xhr.status !== 201) return xhr;
    const state = json(xhr);
    this.url = state.url;
    this.offset = state.offset;
    localStorage.setItem(
      this.key,
      JSON.stringify({ url: this.url, name: this.file.name, size: this.file.size }),
    );
    return xhr;
  }

  async sync() {
    // Ask the server where this upload stands: after a 409, a network error or a reload.
    const xhr = await send("HEAD", this.url);
    if (xhr.status === 200) {
      this.offset = Number(xhr.getResponseHeader("Upload-Offset"));
      return true;
    }
    if (xhr.status === 404) {
      this.url = null; // expired or cleaned up: start again from byte 0
      localStorage.removeItem(this.key);
      return true;
    }
    if (xhr.status === 410) {
      const state = json(await send("GET", this.url));
      this.fail(state.error || this.i18n.i18nCancelled);
      return false;
    }
    if (RETRY_STATUSES.has(xhr.status)) throw new Error(`status ${xhr.status}`);
    this.fail(json(xhr).error || `HTTP ${xhr.status}`);
    return false;
  }

  async run() {
    const saved = localStorage.getItem(this.key);
    if (saved) {
      try {
        this.url = JSON.parse(saved).url;
      } catch {
        localStorage.removeItem(this.key);
      }
    }
    let attempt = 0;
    let reason = "";
    while (!this.cancelled) {
      try {
        if (!this.url) {
          const xhr = await this.create();
          if (xhr.status !== 201) {
            if (RETRY_STATUSES.has(xhr.status)) throw new Error(`status ${xhr.status}`);
            this.fail(json(xhr).error || `HTTP ${xhr.status}`);
            return;
          }
        } else if (this.offset === null) {
          if (!(await this.sync())) return;
          continue;
        }
        if (this.offset >= this.file.size) {
          const state = json(await send("GET", this.url));
          if (state.status !== "receiving") {
            this.done(state);
            return;
          }
          // Every byte arrived but finishing failed (the media store was down): an empty
          // PATCH at the end finishes it now.
        }
        const start = this.offset;
        const end = Math.min(this.file.size, start + this.chunk);
        const xhr = await send("PATCH", this.url, {
          body: this.file.slice(start, end),
          headers: {
            "Upload-Offset": String(start),
            "Content-Type": "application/offset+octet-stream",
          },
          onProgress: (loaded) => this.progress(start + Math.min(loaded, end - start)),
          onStart: (request) => {
            this.xhr = request;
          },
        });
        this.xhr = null;
        if (xhr.status === 204) {
          this.offset = Number(xhr.getResponseHeader("Upload-Offset"));
          this.progress(this.offset);
          attempt = 0;
        } else if (xhr.status === 200) {
          this.progress(this.file.size);
          this.done(json(xhr));
          return;
        } else if (xhr.status === 409) {
          this.offset = null;
        } else if (xhr.status === 404) {
          this.url = null;
          this.offset = null;
          localStorage.removeItem(this.key);
        } else if (RETRY_STATUSES.has(xhr.status)) {
          // A 503 from an unreachable media store says why; the uploader reads it while we wait.
          reason = json(xhr).error || "";
          throw new Error(`status ${xhr.status}`);
        } else {
          this.fail(json(xhr).error || `HTTP ${xhr.status}`);
          return;
        }
      } catch {
        if (this.cancelled) return;
        attempt += 1;
        const seconds = Math.min(MAX_BACKOFF_S, 2 ** Math.min(attempt, 5)) * (0.75 + Math.random() / 2);
        const retrying = fill(this.i18n.i18nRetrying, { seconds: Math.round(seconds) });
        this.stats.textContent = reason ? `${reason} ${retrying}` : retrying;
        reason = "";
        await waitOrOnline(seconds);
        this.offset = null; // whatever happened, re-sync with HEAD before sending more
      }
    }
  }

  done(state) {
    localStorage.removeItem(this.key);
    this.cancelButton.hidden = true;
    this.bar.value = 100;
    if (state.status === "failed" || !state.track) {
      this.fail(state.error || this.i18n.i18nCancelled);
      return;
    }
    this.stats.textContent = this.i18n.i18nDone;
    const status = document.createElement("span");
    status.setAttribute("hx-get", state.track.status_url);
    status.setAttribute("hx-trigger", "load");
    status.setAttribute("hx-swap", "outerHTML");
    status.textContent = this.i18n.i18nFinishing;
    this.result.append(status);
    if (window.htmx) window.htmx.process(status);
  }
}

let queue = Promise.resolve();

function startUploads(zone, files) {
  const limit = Number(zone.dataset.maxBytes) || Infinity;
  for (const file of files) {
    const upload = new FileUpload(file, zone);
    if (file.size > limit) {
      upload.fail(zone.dataset.i18nTooLarge);
      continue;
    }
    // One file at a time: the speed shown is the file's own, and the disk sees one writer.
    queue = queue.then(() => upload.run()).catch(() => {});
  }
}

async function showInterrupted(zone) {
  const prefix = `${STORE}${zone.dataset.album}:`;
  for (let i = 0; i < localStorage.length; i += 1) {
    const key = localStorage.key(i);
    if (!key || !key.startsWith(prefix)) continue;
    let saved;
    try {
      saved = JSON.parse(localStorage.getItem(key));
      const xhr = await send("HEAD", saved.url);
      if (xhr.status !== 200) {
        localStorage.removeItem(key);
        continue;
      }
      const offset = Number(xhr.getResponseHeader("Upload-Offset"));
      const item = document.createElement("li");
      item.className = "upload-item notice";
      item.dataset.interrupted = "";
      item.textContent = fill(zone.dataset.i18nInterrupted, {
        name: saved.name,
        percent: saved.size ? Math.floor((100 * offset) / saved.size) : 0,
      });
      zone.querySelector("[data-upload-list]").append(item);
    } catch {
      // Offline: the next visit shows it.
    }
  }
}

function init(root) {
  const zones = root.matches?.("[data-upload-zone]")
    ? [root]
    : Array.from(root.querySelectorAll?.("[data-upload-zone]") || []);
  for (const zone of zones) {
    if (zone.dataset.ready) continue;
    zone.dataset.ready = "1";
    zone.classList.add("js");
    showInterrupted(zone);
  }
}

document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
  const zone = input.closest("[data-upload-zone]");
  if (!zone || !input.files?.length) return;
  startUploads(zone, Array.from(input.files));
  input.value = ""; // the same file may be chosen again, e.g. to resume it
});

function fileDrag(event) {
  return Array.from(event.dataTransfer?.types || []).includes("Files");
}

document.addEventListener("dragover", (event) => {
  const zone = event.target.closest?.("[data-upload-zone]");
  if (zone && fileDrag(event)) {
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    zone.classList.add("dragover");
  }
});

document.addEventListener("dragleave", (event) => {
  const zone = event.target.closest?.("[data-upload-zone]");
  if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("dragover");
});

document.addEventListener("drop", (event) => {
  const zone = event.target.closest?.("[data-upload-zone]");
  if (!zone || !fileDrag(event)) return;
  event.preventDefault();
  zone.classList.remove("dragover");
  startUploads(zone, Array.from(event.dataTransfer.files));
});

// --- track order ---------------------------------------------------------------------------

let dragging = null;

async function saveOrder(list) {
  const form = list.closest("form[data-reorder]");
  const status = document.querySelector("[data-order-status]");
  const rows = Array.from(list.children);
  rows.forEach((row, index) => {
    const position = row.querySelector(".track-pos");
    if (position) position.textContent = String(index + 1);
  });
  try {
    const response = await fetch(form.action, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ order: rows.map((row) => Number(row.dataset.trackId)) }),
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(String(response.status));
    if (status) status.textContent = form.dataset.i18nSaved;
  } catch {
    if (status) status.textContent = form.dataset.i18nFailed;
  }
}

document.addEventListener("dragstart", (event) => {
  const row = event.target.closest?.("[data-sortable] > li");
  if (!row) return;
  dragging = row;
  row.classList.add("dragging");
  event.dataTransfer.effectAllowed = "move";
  event.dataTransfer.setData("text/plain", row.dataset.trackId);
});

document.addEventListener("dragover", (event) => {
  if (!dragging) return;
  const list = dragging.parentElement;
  const over = event.target.closest?.("li");
  if (!list.contains(event.target)) return;
  event.preventDefault();
  if (!over || over === dragging || over.parentElement !== list) return;
  const box = over.getBoundingClientRect();
  list.insertBefore(dragging, event.clientY > box.top + box.height / 2 ? over.nextSibling : over);
});

document.addEventListener("drop", (event) => {
  if (dragging) event.preventDefault();
});

document.addEventListener("dragend", () => {
  if (!dragging) return;
  const row = dragging;
  dragging = null;
  row.classList.remove("dragging");
  saveOrder(row.parentElement);
});

document.addEventListener("click", (event) => {
  const button = event.target.closest?.("form[data-reorder] button[data-move]");
  if (!button) return;
  event.preventDefault();
  const row = button.closest("li");
  const list = row.parentElement;
  if (button.dataset.move === "up" && row.previousElementSibling) {
    list.insertBefore(row, row.previousElementSibling);
  } else if (button.dataset.move === "down" && row.nextElementSibling) {
    list.insertBefore(row.nextElementSibling, row);
  } else {
    return;
  }
  button.focus();
  saveOrder(list);
});

document.addEventListener("htmx:load", (event) => init(event.detail.elt));
init(document);
