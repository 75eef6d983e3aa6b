// Search suggestions as you type: an accessible combobox (WAI-ARIA 1.2 pattern) over
// /search/suggest. Without JavaScript the box is a plain GET form to /search/.
const DEBOUNCE_MS = 180;

function setup(form) {
  const input = form.querySelector('[role="combobox"]');
  const list = form.querySelector('[role="listbox"]');
  if (!input || !list || form.dataset.suggestReady) return;
  form.dataset.suggestReady = "1";
  let timer = 0;
  let active = -1;
  let controller = null;

  const options = () => Array.from(list.querySelectorAll('[role="option"]'));
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const highlight = (index) => {
    const items = options();
    items.forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (items[index]) input.setAttribute("aria-activedescendant", items[index].id);
  };
  const render = (suggestions) => {
    list.replaceChildren();
    suggestions.forEach((s, i) => {
      const li = document.createElement("li");
      li.id = `site-search-option-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.url = s.url;
      li.dataset.kind = s.kind;
      li.textContent = s.title; // text, never HTML
      li.addEventListener("mousedown", (event) => {
        event.preventDefault();
        window.location.assign(s.url);
      });
      list.append(li);
    });
    const open = suggestions.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    active = -1;
  };
  const fetchSuggestions = async () => {
    const q = input.value.trim();
    if (!q) return close();
    controller?.abort();
    controller = new AbortController();
    try {
      const url = `${form.dataset.suggestUrl}?q=${encodeURIComponent(q)}`;
      const response = await fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } });
      if (!response.ok) return close();
      const data = await response.json();
      if (data.query === q) render(data.suggestions);
    } catch (error) {
      if (error.name !== "AbortError") close();
    }
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (event) => {
    const items = options();
    if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight((active + 1) % items.length);
    } else if (event.key === "ArrowUp" && items.length) {
      event.preventDefault();
      highlight((active - 1 + items.length) % items.length);
    } else if (event.key === "Enter" && active >= 0 && items[active]) {
      event.preventDefault();
      window.location.assign(items[active].dataset.url);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}

function init() {
  document.querySelectorAll("form[data-suggest-url]").forEach(setup);
}

init();
document.addEventListener("htmx:afterSettle", init);
