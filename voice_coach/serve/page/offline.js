// The page away from the computer: registers the service worker (sw.js), keeps sessions on the
// phone ("Keep for offline", with the space they take), queues Done while the computer is out of
// reach and sends each once when it is back (the listening id makes a repeat harmless), and
// shows what serve is still rendering. Without a secure context it says what to do instead.
(function () {
  "use strict";

  var byId = function (id) { return document.getElementById(id); };
  var KEPT_CACHE = "vc-sessions";
  var QUEUE_KEY = "voice-coach-done-queue";
  var KEPT_KEY = "voice-coach-kept";
  var offlineNote = byId("offline-note");
  var pendingNote = byId("pending-note");
  var storageNote = byId("storage");
  var lastReach = true;
  var canKeep = window.isSecureContext && "serviceWorker" in navigator && "caches" in window;

  function megabytes(bytes) {
    return bytes >= 1e9 ? (bytes / 1e9).toFixed(1) + " GB" : (bytes / 1e6).toFixed(1) + " MB";
  }

  function readJson(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }

  function writeJson(key, value) { localStorage.setItem(key, JSON.stringify(value)); }

  // -- Done, kept until the computer answers --------------------------------------------------

  function queue() { return readJson(QUEUE_KEY, []); }

  function showPending() {
    var n = queue().length;
    pendingNote.hidden = n === 0;
    pendingNote.textContent = n === 0 ? "" : (n === 1 ? "1 Done is" : n + " Dones are") +
      " kept on this phone and sent when the computer is reachable.";
  }

  function post(payload) {
    // "sent": this phone's clock now, so the computer can correct "started" for its error.
    var body = Object.assign({}, payload, { sent: window.vcLocalIso(new Date()) });
    return fetch("api/done", {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        return { status: r.status, data: data };
      });
    });
  }

  function drop(listeningId) {
    writeJson(QUEUE_KEY, queue().filter(function (p) { return p.listening_id !== listeningId; }));
  }

  var flushing = null;

  function flush() {
    if (flushing) { return flushing; }
    var items = queue();
    var results = {};
    flushing = items.reduce(function (chain, payload) {
      return chain.then(function () {
        return post(payload).then(function (answer) {
          lastReach = true;
          if (answer.status >= 500) { return; }  // the computer is busy: try again later
          drop(payload.listening_id);  // recorded, a repeat, or refused for good: done with it
          results[payload.listening_id] = answer;
          if (answer.status === 200 && window.vcShowToday) { window.vcShowToday(answer.data.today); }
        }, function () { lastReach = false; });
      });
    }, Promise.resolve()).then(function () {
      flushing = null;
      showPending();
      return results;
    });
    return flushing;
  }

  function sendDone(payload) {
    writeJson(QUEUE_KEY, queue().filter(function (p) {
      return p.listening_id !== payload.listening_id;
    }).concat([payload]));
    showPending();
    return (flushing || Promise.resolve()).then(flush).then(function (results) {
      var answer = results[payload.listening_id];
      if (!answer) { return { queued: true }; }
      if (answer.status !== 200) {
        throw new Error(answer.data.error || ("the computer answered " + answer.status));
      }
      return { queued: false, data: answer.data };
    });
  }

  window.vcOffline = { sendDone: sendDone, flush: flush,
                       reachable: function () { return lastReach; } };
  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && queue().length) { flush(); }
  });
  setInterval(function () { if (queue().length) { flush(); } }, 15000);

  // -- Keep for offline -----------------------------------------------------------------------

  function kept() { return readJson(KEPT_KEY, {}); }

  function filesOf(card) {
    return [card.dataset.audio, card.dataset.chapters, card.dataset.transcript];
  }

  function showKept(card) {
    var button = card.querySelector(".keep");
    var status = card.querySelector(".kept");
    var entry = kept()[card.dataset.key];
    var size = megabytes(Number(card.dataset.size) || 0);
    button.hidden = false;
    if (entry && entry.audio === card.dataset.audio) {
      button.textContent = "Remove from this phone";
      button.dataset.kept = "true";
      status.textContent = "Kept on this phone (" + size + "): plays without the computer.";
    } else {
      button.textContent = "Keep for offline (" + size + ")";
      button.dataset.kept = "false";
      status.textContent = "";
    }
  }

  function showStorage() {
    if (!navigator.storage || !navigator.storage.estimate) { return; }
    var total = 0;
    var entries = kept();
    Object.keys(entries).forEach(function (k) { total += entries[k].size || 0; });
    navigator.storage.estimate().then(function (e) {
      storageNote.hidden = total === 0;
      storageNote.textContent = "Kept sessions take " + megabytes(total) + " on this phone" +
        (e.quota ? " (the page may use up to " + megabytes(e.quota) + ")." : ".");
    });
  }

  function keep(card) {
    var status = card.querySelector(".kept");
    var key = card.dataset.key;
    var entries = kept();
    var old = entries[key];
    status.textContent = "Keeping…";
    if (navigator.storage && navigator.storage.persist) { navigator.storage.persist(); }
    return caches.open(KEPT_CACHE).then(function (cache) {
      return cache.addAll(filesOf(card)).then(function () {
        if (old && old.audio !== card.dataset.audio) {  // a re-rendered session: the old goes
          [old.audio, old.chapters, old.transcript].forEach(function (u) { cache.delete(u); });
        }
      });
    }).then(function () {
      entries = kept();
      entries[key] = { audio: card.dataset.audio, chapters: card.dataset.chapters,
                       transcript: card.dataset.transcript, size: Number(card.dataset.size) || 0 };
      writeJson(KEPT_KEY, entries);
      showKept(card);
      showStorage();
    }, function (e) {
      status.textContent = "Could not keep it (" + e.message + "). Is there space on the phone?";
    });
  }

  function forget(card) {
    var entries = kept();
    var entry = entries[card.dataset.key];
    delete entries[card.dataset.key];
    writeJson(KEPT_KEY, entries);
    return caches.open(KEPT_CACHE).then(function (cache) {
      return Promise.all([entry.audio, entry.chapters, entry.transcript].map(function (u) {
        return cache.delete(u);
      }));
    }).then(function () { showKept(card); showStorage(); });
  }

  function setUpKeeping() {
    document.querySelectorAll(".session").forEach(function (card) {
      var button = card.querySelector(".keep");
      showKept(card);
      button.addEventListener("click", function () {
        return button.dataset.kept === "true" ? forget(card) : keep(card);
      });
      var entry = kept()[card.dataset.key];
      if (entry && entry.audio !== card.dataset.audio && navigator.onLine) { keep(card); }
    });
    showStorage();
  }

  if (canKeep) {
    navigator.serviceWorker.register("sw.js").then(setUpKeeping, function (e) {
      offlineNote.hidden = false;
      offlineNote.textContent = "This browser would not keep the page for offline use (" +
        e.message + "). Use Download, or a podcast app (below).";
    });
  } else {
    offlineNote.hidden = false;
    offlineNote.textContent = "To keep sessions on this phone for offline use, the page " +
      "needs a secure (https) address: start the server with voice-coach serve --lan --tls " +
      "and install its certificate (see docs/phone.md). Until then, use Download, or " +
      "subscribe in a podcast app (below): both keep sessions for the plane.";
  }
  flush();
  showPending();

  // -- What serve is still rendering ----------------------------------------------------------

  var preparing = byId("preparing");
  var audio = byId("audio");
  var shown = document.querySelectorAll(".session").length;

  function poll() {
    fetch("api/progress", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        var left = p.pending.length;
        var now = p.current ? ": now " + p.current.title + " (" +
          Math.round(p.current.fraction * 100) + "%)" : "";
        var fresh = p.ready > shown;
        if (fresh && (audio.paused || !audio.src)) { location.reload(); return; }
        preparing.textContent = p.running && left ?
          "Preparing " + left + (left === 1 ? " more session" : " more sessions") + now +
          ". Each appears here when ready." : "";
        if (fresh) { preparing.textContent += " A new session is ready: reload the page to see it."; }
        preparing.hidden = !preparing.textContent;
        if (p.running) { setTimeout(poll, 2000); }
      }, function () { setTimeout(poll, 10000); });
  }

  if (preparing && !preparing.hidden) { setTimeout(poll, 1000); }
})();
