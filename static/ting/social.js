// Comments and library buttons (ting/social). The forms work without JavaScript; this adds the
// live N/300 counter, the 表情 picker, reply toggles, and shows refusals htmx would drop.
const segmenter = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

// Characters as a reader counts them: 👍🏽 and 👨‍👩‍👧‍👦 are one each, as on the server (regex \X).
function graphemes(text) {
  if (!segmenter) return Array.from(text).length;
  let count = 0;
  for (const _ of segmenter.segment(text)) count += 1;
  return count;
}

function updateCounter(textarea) {
  const form = textarea.closest("form");
  if (!form) return;
  const limit = parseInt(textarea.dataset.graphemeLimit, 10);
  const count = graphemes(textarea.value.trim());
  const counter = form.querySelector("[data-counter]");
  if (counter) {
    counter.querySelector("[data-count]").textContent = String(count);
    counter.classList.toggle("is-over", count > limit);
  }
  const submit = form.querySelector("button[type=submit]");
  if (submit) submit.disabled = count === 0 || count > limit;
}

function insertAtCaret(textarea, text) {
  const start = textarea.selectionStart ?? textarea.value.length;
  const end = textarea.selectionEnd ?? textarea.value.length;
  textarea.setRangeText(text, start, end, "end");
  textarea.focus();
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
}

function setUpForms(root) {
  for (const textarea of root.querySelectorAll("textarea[data-grapheme-limit]")) updateCounter(textarea);
}

document.addEventListener("input", (event) => {
  if (event.target instanceof HTMLTextAreaElement && event.target.dataset.graphemeLimit) {
    updateCounter(event.target);
  }
});

document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-emoji-toggle]");
  if (toggle) {
    const grid = toggle.closest("form").querySelector("[data-emoji-grid]");
    grid.hidden = !grid.hidden;
    toggle.setAttribute("aria-expanded", String(!grid.hidden));
    return;
  }
  const emoji = event.target.closest("[data-emoji]");
  if (emoji) {
    const textarea = emoji.closest("form").querySelector("textarea");
    insertAtCaret(textarea, emoji.dataset.emoji);
    return;
  }
  const reply = event.target.closest("[data-reply-toggle]");
  if (reply) {
    const form = document.getElementById(reply.dataset.replyToggle);
    if (!form) return;
    form.hidden = !form.hidden;
    reply.setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) form.querySelector("textarea").focus();
  }
});

// htmx drops 4xx answers by default; ours carry a readable message for the form's error slot.
document.addEventListener("htmx:beforeSwap", (event) => {
  const xhr = event.detail.xhr;
  const retarget = xhr.getResponseHeader("HX-Retarget") || "";
  if (xhr.status >= 400 && xhr.status < 500 && retarget.endsWith("-error")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

document.addEventListener("htmx:beforeRequest", (event) => {
  const slot = event.detail.elt.id && document.getElementById(`${event.detail.elt.id}-error`);
  if (slot) slot.textContent = "";
});

document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt;
  const refused = (event.detail.xhr.getResponseHeader("HX-Retarget") || "").endsWith("-error") && event.detail.xhr.status >= 400;
  if (form.matches?.("[data-comment-form]") && event.detail.successful && !refused) {
    const textarea = form.querySelector("textarea");
    if (textarea) {
      textarea.value = "";
      updateCounter(textarea);
    }
    const grid = form.querySelector("[data-emoji-grid]");
    if (grid) grid.hidden = true;
  }
});

document.addEventListener("htmx:afterSettle", (event) => setUpForms(event.detail.elt || document));
setUpForms(document);
