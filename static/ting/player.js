// Ting's persistent player. The bar lives outside the swapped content (hx-preserve), so audio
// keeps playing while htmx-boosted navigation replaces the page around it.
//
// A track's data (see ting/playback/selectors.py player_data) arrives either embedded in the
// page (<script type="application/json">) or from /playback/track/<id>.json.

const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3];
const BEACON_EVERY_MS = 15000;
const LOCAL_SAVE_EVERY_MS = 5000;

const bar = document.getElementById("player");
if (bar && !bar.dataset.ready) {
  bar.dataset.ready = "1";
  setUp(bar);
}

function setUp(bar) {
  const audio = bar.querySelector("audio");
  const $ = (name) => bar.querySelector(`[data-bind="${name}"]`);
  const toggleButton = bar.querySelector('[data-action="toggle"]');
  const canvas = $("waveform").querySelector("canvas");
  // Read at send time: boosted navigation (a log-in, say) replaces both after the bar was built.
  const signedIn = () => document.getElementById("session-state")?.dataset.signedIn === "1";
  const csrfToken = () =>
    document.cookie.match(/(?:^|; )csrftoken=([^;]+)/)?.[1] ||
    bar.querySelector("[name=csrfmiddlewaretoken]").value;
  let track = null;
  let pendingSeek = null;
  let lastBeacon = 0;
  let lastLocalSave = 0;
  let sleepTimer = null;
  let sleepDeadline = null;
  let sleepAtEnd = false;
  let sleepTicker = null;

  // --- time formatting, the same rule as ting/core/formatting.py ------------------------------
  function clock(seconds) {
    if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
    const total = Math.floor(seconds);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
  }

  function duration() {
    return Number.isFinite(audio.duration) && audio.duration > 0 ? audio.duration : track?.duration || 0;
  }

  // --- choosing and loading a track ------------------------------------------------------------
  function pickSource(sources) {
    for (const source of sources) {
      if (audio.canPlayType(source.type)) return source;
    }
    return null;
  }

  function savedPosition(id) {
    const value = parseFloat(localStorage.getItem(`ting:pos:${id}`) || "0");
    return Number.isFinite(value) ? value : 0;
  }

  function load(data, { autoplay = false, startAt = null } = {}) {
    const source = pickSource(data.sources || []);
    if (!source) {
      toast(bar.dataset.i18nNoSource);
      return;
    }
    if (track && track.id !== data.id) savePosition(true);
    track = data;
    bar.hidden = false;
    document.body.classList.add("has-player");
    audio.src = source.src;
    audio.preload = "none";
    const resume = startAt ?? Math.max(data.resume_at || 0, savedPosition(data.id));
    pendingSeek = resume > 0 && (!data.duration || resume < data.duration - 2) ? resume : null;
    $("title").textContent = data.title;
    $("title").href = data.url;
    $("album").textContent = data.album.title;
    $("album").href = data.album.url;
    $("cover-link").href = data.url;
    const cover = $("cover");
    cover.hidden = !data.cover;
    $("cover-blank").hidden = !!data.cover;
    if (data.cover) cover.src = data.cover;
    $("duration").textContent = clock(data.duration);
    $("current").textContent = clock(pendingSeek || 0);
    const speed = parseFloat(localStorage.getItem(`ting:speed:${data.album.id}`) || "1");
    setSpeed(SPEEDS.includes(speed) ? speed : 1, false);
    drawWaveform();
    setMediaSession();
    localStorage.setItem("ting:current", JSON.stringify({ data, at: pendingSeek || 0 }));
    markPlaying();
    if (autoplay) play();
  }

  function play() {
    if (!track) return;
    // With preload="none" nothing is fetched before this call; seek once metadata is known.
    const attempt = audio.play();
    if (attempt) attempt.catch(() => renderToggle());
  }

  audio.addEventListener("loadedmetadata", () => {
    if (pendingSeek !== null) {
      audio.currentTime = pendingSeek;
      pendingSeek = null;
    }
    $("duration").textContent = clock(duration());
  });

  function seek(seconds) {
    if (!track) return;
    const target = Math.max(0, Math.min(seconds, duration() || seconds));
    if (audio.readyState >= 1) {
      audio.currentTime = target;
    } else {
      pendingSeek = target;
      $("current").textContent = clock(target);
      drawWaveform();
    }
  }

  // --- speed (倍速), remembered per album -------------------------------------------------------
  function setSpeed(speed, remember = true) {
    audio.playbackRate = speed;
    audio.defaultPlaybackRate = speed;
    $("speed").value = String(speed);
    if (remember && track) localStorage.setItem(`ting:speed:${track.album.id}`, String(speed));
  }
  $("speed").addEventListener("change", (event) => setSpeed(parseFloat(event.target.value)));

  // --- sleep timer (定時關閉) -------------------------------------------------------------------
  function clearSleep() {
    clearTimeout(sleepTimer);
    clearInterval(sleepTicker);
    sleepTimer = sleepTicker = sleepDeadline = null;
    sleepAtEnd = false;
    $("sleep-status").textContent = "";
  }
  function renderSleep() {
    if (sleepAtEnd) {
      $("sleep-status").textContent = bar.dataset.i18nSleepEnd;
    } else if (sleepDeadline) {
      const left = clock((sleepDeadline - Date.now()) / 1000);
      $("sleep-status").textContent = bar.dataset.i18nSleepLeft.replace("{time}", left);
    }
  }
  $("sleep").addEventListener("change", (event) => {
    clearSleep();
    const value = event.target.value;
    if (value === "end") {
      sleepAtEnd = true;
    } else if (value) {
      const ms = parseInt(value, 10) * 60000;
      sleepDeadline = Date.now() + ms;
      sleepTimer = setTimeout(() => {
        audio.pause();
        clearSleep();
        $("sleep").value = "";
      }, ms);
      sleepTicker = setInterval(renderSleep, 1000);
    }
    renderSleep();
  });

  // --- resume: local storage always, the server for signed-in listeners ------------------------
  function savePosition(force = false) {
    if (!track) return;
    const now = Date.now();
    const finished = audio.ended;
    if (force || now - lastLocalSave > LOCAL_SAVE_EVERY_MS) {
      lastLocalSave = now;
      localStorage.setItem(`ting:pos:${track.id}`, finished ? "0" : String(audio.currentTime));
      localStorage.setItem("ting:current", JSON.stringify({ data: track, at: audio.currentTime }));
    }
    if (signedIn() && (force || now - lastBeacon > BEACON_EVERY_MS)) {
      lastBeacon = now;
      const form = new FormData();
      form.append("csrfmiddlewaretoken", csrfToken());
      form.append("track", String(track.id));
      form.append("position", String(audio.currentTime));
      form.append("finished", finished ? "1" : "0");
      navigator.sendBeacon(bar.dataset.positionUrl, form);
    }
  }

  audio.addEventListener("timeupdate", () => {
    $("current").textContent = clock(audio.currentTime);
    drawWaveform();
    if (!audio.paused) savePosition();
    if ("setPositionState" in (navigator.mediaSession || {}) && duration()) {
      try {
        navigator.mediaSession.setPositionState({
          duration: duration(),
          playbackRate: audio.playbackRate,
          position: Math.min(audio.currentTime, duration()),
        });
      } catch (error) {
        /* some browsers reject the state while metadata is still loading */
      }
    }
  });
  audio.addEventListener("pause", () => {
    savePosition(true);
    renderToggle();
  });
  audio.addEventListener("play", renderToggle);
  window.addEventListener("pagehide", () => savePosition(true));

  audio.addEventListener("ended", async () => {
    savePosition(true);
    if (sleepAtEnd) {
      clearSleep();
      $("sleep").value = "";
      return;
    }
    if (track?.next) {
      const response = await fetch(track.next.data, { headers: { Accept: "application/json" } });
      if (response.ok) load(await response.json(), { autoplay: true, startAt: 0 });
    }
  });

  // Audio URLs are signed and expire after hours (MEDIA_DELIVERY=nginx-signed signs every
  // track's): when a page stayed open longer, the next request fails. Ask for fresh URLs, once
  // a minute at most, and go on from the same second.
  let refreshedAt = 0;
  audio.addEventListener("error", async () => {
    if (!track?.data_url || Date.now() - refreshedAt < 60_000) return;
    refreshedAt = Date.now();
    const at = audio.currentTime || pendingSeek || 0;
    const response = await fetch(track.data_url, { headers: { Accept: "application/json" } });
    if (response.ok) load(await response.json(), { autoplay: true, startAt: at });
  });

  // --- controls ----------------------------------------------------------------------------------
  function renderToggle() {
    const playing = !audio.paused;
    toggleButton.textContent = playing ? "❚❚" : "▶";
    toggleButton.setAttribute("aria-label", playing ? toggleButton.dataset.labelPause : toggleButton.dataset.labelPlay);
    markPlaying();
  }
  function toggle() {
    if (!track) return;
    if (audio.paused) play();
    else audio.pause();
  }
  bar.addEventListener("click", (event) => {
    const action = event.target.closest("[data-action]")?.dataset.action;
    if (action === "toggle") toggle();
    if (action === "back") seek(audio.currentTime - 15);
    if (action === "forward") seek(audio.currentTime + 15);
    if (action === "share") share();
  });

  async function share() {
    if (!track) return;
    const url = new URL(track.url, location.origin);
    url.searchParams.set("t", String(Math.floor(audio.currentTime)));
    try {
      await navigator.clipboard.writeText(url.toString());
      toast(bar.dataset.i18nCopied);
    } catch (error) {
      toast(`${bar.dataset.i18nCopyFailed} ${url}`);
    }
  }

  let toastTimer = null;
  function toast(text) {
    $("toast").textContent = text;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => ($("toast").textContent = ""), 4000);
  }

  // --- the waveform seek bar ------------------------------------------------------------------------
  function drawWaveform() {
    const width = canvas.clientWidth || 300;
    const height = canvas.clientHeight || 40;
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const peaks = track?.waveform?.length ? track.waveform : [];
    const total = duration();
    const position = pendingSeek ?? audio.currentTime;
    const done = total ? position / total : 0;
    const bars = Math.max(1, Math.floor(width / 3));
    for (let i = 0; i < bars; i += 1) {
      const peak = peaks.length ? peaks[Math.floor((i / bars) * peaks.length)] : 0.3;
      const h = Math.max(2, peak * (height - 4));
      ctx.fillStyle = i / bars < done ? "#e4572e" : "#d0d4d9";
      ctx.fillRect(i * 3, (height - h) / 2, 2, h);
    }
    $("waveform").setAttribute("aria-valuenow", String(Math.round(done * 100)));
    $("waveform").setAttribute("aria-valuetext", `${clock(position)} / ${clock(total)}`);
  }
  $("waveform").addEventListener("click", (event) => {
    const rect = canvas.getBoundingClientRect();
    const fraction = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
    seek(fraction * duration());
  });
  $("waveform").addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      event.preventDefault();
      event.stopPropagation();
      seek(audio.currentTime + (event.key === "ArrowLeft" ? -5 : 5));
    }
  });
  window.addEventListener("resize", drawWaveform);

  // --- keyboard shortcuts ----------------------------------------------------------------------------
  document.addEventListener("keydown", (event) => {
    if (!track || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest("input, textarea, select, [contenteditable]")) return;
    if (event.key === " " || event.key === "k") {
      if (target.closest("button, a")) return;
      event.preventDefault();
      toggle();
    } else if (event.key === "ArrowLeft" || event.key === "j") {
      seek(audio.currentTime - 15);
    } else if (event.key === "ArrowRight" || event.key === "l") {
      seek(audio.currentTime + 15);
    } else if (event.key === ">" || event.key === "<") {
      const index = SPEEDS.indexOf(audio.playbackRate);
      const next = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, index + (event.key === ">" ? 1 : -1)))];
      setSpeed(next);
    }
  });

  // --- Media Session: lock screen and headset buttons -----------------------------------------
  function setMediaSession() {
    if (!("mediaSession" in navigator) || !track) return;
    navigator.mediaSession.metadata = new MediaMetadata({
      title: track.title,
      artist: track.anchor,
      album: track.album.title,
      artwork: track.cover ? [{ src: track.cover, sizes: "512x512" }] : [],
    });
    const handlers = {
      play: () => play(),
      pause: () => audio.pause(),
      seekbackward: (details) => seek(audio.currentTime - (details.seekOffset || 15)),
      seekforward: (details) => seek(audio.currentTime + (details.seekOffset || 15)),
      seekto: (details) => seek(details.seekTime),
      nexttrack: track.next ? () => audio.dispatchEvent(new Event("ended")) : null,
    };
    for (const [action, handler] of Object.entries(handlers)) {
      try {
        navigator.mediaSession.setActionHandler(action, handler);
      } catch (error) {
        /* an action this browser does not know */
      }
    }
  }

  // --- play buttons and chapter links anywhere on the page (pages change; the bar stays) ---------
  function markPlaying() {
    for (const button of document.querySelectorAll("[data-play]")) {
      const mine = track && String(track.id) === button.dataset.trackId;
      button.classList.toggle("is-current", !!mine);
      button.setAttribute("aria-pressed", mine && !audio.paused ? "true" : "false");
    }
  }

  async function dataFor(button) {
    const embedded = button.dataset.playerJson && document.getElementById(button.dataset.playerJson);
    if (embedded) return JSON.parse(embedded.textContent);
    // One URL pattern for all rows (rendered once in the bar) keeps long track lists cheap.
    const url = button.dataset.playerUrl || bar.dataset.playerDataUrl.replace("/0.json", `/${button.dataset.trackId}.json`);
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    return response.ok ? response.json() : null;
  }

  document.addEventListener("click", async (event) => {
    const chapter = event.target.closest("[data-seek]");
    if (chapter) {
      event.preventDefault();
      const id = chapter.dataset.trackId;
      const at = parseFloat(chapter.dataset.seek);
      if (track && String(track.id) === id) {
        seek(at);
        if (audio.paused) play();
      } else {
        const button = document.querySelector(`[data-play][data-track-id="${id}"]`);
        const data = button && (await dataFor(button));
        if (data) load(data, { autoplay: true, startAt: at });
      }
      return;
    }
    const button = event.target.closest("[data-play]");
    if (!button) return;
    event.preventDefault();
    if (track && String(track.id) === button.dataset.trackId) {
      toggle();
      return;
    }
    const data = await dataFor(button);
    if (!data) return;
    const start = new URLSearchParams(location.search).get("t");
    const startAt = start !== null && location.pathname === data.url ? parseFloat(start) : null;
    load(data, { autoplay: true, startAt: Number.isFinite(startAt) ? startAt : null });
  });

  document.body.addEventListener("htmx:afterSettle", markPlaying);

  // --- after a reload: the last track waits in the bar, paused where it was -------------------------
  // Signed stream URLs expire, so the bar asks for fresh data rather than reusing stored URLs.
  (async () => {
    try {
      const saved = JSON.parse(localStorage.getItem("ting:current") || "null");
      if (!saved?.data?.data_url) return;
      const response = await fetch(saved.data.data_url, { headers: { Accept: "application/json" } });
      if (response.ok && !track) load(await response.json(), { startAt: saved.at || null });
    } catch (error) {
      localStorage.removeItem("ting:current");
    }
  })();

  window.tingPlayer = { audio, load, seek, setSpeed, get track() { return track; } };
}

// --- listening beacons for play counts (ting/stats; the rules are in docs/counting.md) ----------
// Counts the seconds of audio actually played in this page load (media time, at any speed: the
// timeupdate deltas while playing, seeks excluded) and reports them with the furthest position
// reached, every ~15 s of playing and on pause, ended and pagehide; anonymous listeners too.
if (bar && !bar.dataset.listening) {
  bar.dataset.listening = "1";
  reportListening(bar);
}

function reportListening(bar) {
  const audio = bar.querySelector("audio");
  const url = bar.dataset.beaconUrl || "/stats/beacon";
  const session = window.crypto?.randomUUID?.() || `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
  let trackId = null;
  let listened = 0;
  let furthest = 0;
  let lastTime = null;
  let lastSent = 0;

  const current = () => window.tingPlayer?.track || null;
  const length = () => (Number.isFinite(audio.duration) && audio.duration > 0 ? audio.duration : current()?.duration || 0);

  function send() {
    if (trackId === null) return;
    const token = bar.querySelector("[name=csrfmiddlewaretoken]");
    const form = new FormData();
    form.append("csrfmiddlewaretoken", token ? token.value : "");
    form.append("track", String(trackId));
    form.append("session", session);
    form.append("listened", listened.toFixed(1));
    form.append("position", Math.min(furthest, length() || furthest).toFixed(1));
    form.append("duration", length().toFixed(1));
    lastSent = Date.now();
    navigator.sendBeacon(url, form);
  }

  audio.addEventListener("playing", () => {
    const playing = current();
    if (!playing) return;
    if (playing.id !== trackId) {
      if (listened > 0) send();
      trackId = playing.id;
      listened = 0;
      furthest = 0;
      send(); // the first report starts the server's clock for this listen
    }
    lastTime = audio.currentTime;
  });
  audio.addEventListener("timeupdate", () => {
    const playing = current();
    if (!playing || playing.id !== trackId || audio.paused || audio.seeking || lastTime === null) {
      lastTime = audio.paused || audio.seeking ? null : audio.currentTime;
      return;
    }
    const delta = audio.currentTime - lastTime;
    lastTime = audio.currentTime;
    // timeupdate fires every 15-250 ms; a larger jump is a seek, not listening.
    if (delta > 0 && delta <= 2 * Math.max(1, audio.playbackRate)) listened += delta;
    furthest = Math.max(furthest, audio.currentTime);
    if (Date.now() - lastSent >= BEACON_EVERY_MS) send();
  });
  audio.addEventListener("seeking", () => (lastTime = null));
  audio.addEventListener("seeked", () => (lastTime = audio.paused ? null : audio.currentTime));
  audio.addEventListener("pause", send);
  audio.addEventListener("ended", send);
  window.addEventListener("pagehide", send);
}
