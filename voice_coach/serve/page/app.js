// The phone page's player: plays a session, lists its chapters to jump between, shows the cue
// being spoken (from the WebVTT cues), fills the lock screen (Media Session API) and records
// "Done" for the sets heard in one listening (sent through offline.js, which keeps it when the
// computer is out of reach). No framework, no build step; the page works as plain links without it.
(function () {
  "use strict";

  var byId = function (id) { return document.getElementById(id); };
  var audio = byId("audio");
  var player = byId("player");
  var heading = byId("player-heading");
  var nowTitle = byId("now-title");
  var cueText = byId("cue");
  var chapterNow = byId("chapter-now");
  var chapterList = byId("chapters");
  var doneButton = byId("done");
  var doneStatus = byId("done-status");
  var todayText = byId("today");
  var todayList = byId("today-list");
  var current = null;
  var chapters = [];
  var chapterIndex = -1;

  function clock(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var m = Math.floor(s / 60);
    return m + ":" + String(s % 60).padStart(2, "0");
  }

  function loadChapters(url) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { chapters: [] }; })
      .then(function (data) {
        return (data.chapters || [])
          .filter(function (c) { return c.toc !== false; })
          .map(function (c) { return { start: Number(c.startTime) || 0, title: String(c.title) }; });
      })
      .catch(function () { return []; });
  }

  function showChapters() {
    chapterList.textContent = "";
    chapters.forEach(function (chapter, i) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "chapter";
      button.dataset.index = String(i);
      button.textContent = chapter.title + " (" + clock(chapter.start) + ")";
      button.addEventListener("click", function () { jumpTo(i); });
      item.appendChild(button);
      chapterList.appendChild(item);
    });
  }

  function jumpTo(i) {
    if (i < 0 || i >= chapters.length) { return; }
    audio.currentTime = chapters[i].start;
    play();
  }

  function play() {
    var started = audio.play();
    if (started && started.catch) {
      started.catch(function () { /* the browser wants a tap on its own play button */ });
    }
  }

  function chapterAt(t) {
    var found = -1;
    chapters.forEach(function (c, i) { if (c.start <= t + 0.05) { found = i; } });
    return found;
  }

  function markChapter() {
    var i = chapterAt(audio.currentTime);
    if (i === chapterIndex) { return; }
    chapterIndex = i;
    chapterList.querySelectorAll("button").forEach(function (b) {
      if (Number(b.dataset.index) === i) { b.setAttribute("aria-current", "true"); }
      else { b.removeAttribute("aria-current"); }
    });
    chapterNow.textContent = i >= 0 ? "Chapter: " + chapters[i].title : "";
    setMetadata();
  }

  function setMetadata() {
    if (!("mediaSession" in navigator) || !current || typeof MediaMetadata === "undefined") {
      return;
    }
    navigator.mediaSession.metadata = new MediaMetadata({
      title: current.title,
      artist: chapterIndex >= 0 ? chapters[chapterIndex].title : "voice-coach",
      album: "voice-coach",
      artwork: [{ src: "cover.png", sizes: "1400x1400", type: "image/png" }]
    });
  }

  function setPosition() {
    if (!("mediaSession" in navigator) || !navigator.mediaSession.setPositionState) { return; }
    if (!isFinite(audio.duration) || audio.duration <= 0) { return; }
    try {
      navigator.mediaSession.setPositionState({
        duration: audio.duration,
        playbackRate: audio.playbackRate,
        position: Math.min(audio.currentTime, audio.duration)
      });
    } catch (e) { /* an older browser with a stricter check */ }
  }

  function mediaSessionHandlers() {
    if (!("mediaSession" in navigator)) { return; }
    var handlers = {
      play: function () { play(); },
      pause: function () { audio.pause(); },
      previoustrack: function () {
        // As the terminal player's "b": the start of this chapter, or the one before it
        // when already within 2 s of its start.
        var i = chapterAt(audio.currentTime);
        if (i > 0 && audio.currentTime - chapters[i].start < 2) { i -= 1; }
        jumpTo(Math.max(0, i));
      },
      nexttrack: function () { jumpTo(chapterAt(audio.currentTime) + 1); },
      seekbackward: function (d) { audio.currentTime = Math.max(0, audio.currentTime - (d.seekOffset || 10)); },
      seekforward: function (d) { audio.currentTime = audio.currentTime + (d.seekOffset || 10); },
      seekto: function (d) { audio.currentTime = d.seekTime; }
    };
    Object.keys(handlers).forEach(function (action) {
      try { navigator.mediaSession.setActionHandler(action, handlers[action]); }
      catch (e) { /* this browser does not know that action */ }
    });
  }

  function showCueAt(t) {
    // After a jump: the last cue spoken before this moment, dimmed unless it is still going.
    var track = audio.textTracks[0];
    if (!track || !track.cues) { return; }
    var last = null;
    for (var i = 0; i < track.cues.length; i++) {
      if (track.cues[i].startTime <= t) { last = track.cues[i]; } else { break; }
    }
    cueText.textContent = last ? last.text : "\u00a0";
    cueText.classList.toggle("past", !last || last.endTime < t);
  }

  function setTrack(url, language) {
    audio.querySelectorAll("track").forEach(function (t) { t.remove(); });
    var track = document.createElement("track");
    track.kind = "captions";
    track.label = "Spoken cues";
    track.srclang = language || "en";
    track.src = url;
    track.default = true;
    audio.appendChild(track);
    track.track.mode = "hidden";
    track.track.addEventListener("cuechange", function () {
      var active = this.activeCues;
      if (active && active.length) {
        cueText.textContent = active[active.length - 1].text;
        cueText.classList.toggle("long", cueText.textContent.length > 90);
        cueText.classList.remove("past");
      } else {
        cueText.classList.add("past");  // the last cue stays, dimmed, until the next
      }
    });
  }

  function choose(item, autoplay) {
    current = {
      key: item.dataset.key, title: item.dataset.title, audio: item.dataset.audio,
      chapters: item.dataset.chapters, transcript: item.dataset.transcript,
      language: item.dataset.language
    };
    document.querySelectorAll(".session").forEach(function (s) {
      s.classList.toggle("current", s === item);
    });
    nowTitle.textContent = current.title;
    cueText.textContent = "\u00a0";
    cueText.classList.remove("long");
    doneStatus.textContent = "";
    chapterIndex = -1;
    chapters = [];
    chapterList.textContent = "";
    audio.src = current.audio;
    setTrack(current.transcript, current.language);
    player.hidden = false;
    setMetadata();
    if (autoplay) { play(); }
    heading.focus();
    return loadChapters(current.chapters).then(function (list) {
      chapters = list;
      showChapters();
      markChapter();
    });
  }

  function showToday(today) {
    todayText.textContent = today.text;
    if (!todayList) { return; }
    todayList.textContent = "";
    (today.sessions || []).forEach(function (s) {
      var item = document.createElement("li");
      var at = new Date(s.at);
      var time = isNaN(at) ? s.at : at.toTimeString().slice(0, 5);
      item.textContent = s.title + ", " + s.sets + (s.sets === 1 ? " set" : " sets") + ", at " + time;
      todayList.appendChild(item);
    });
    todayList.hidden = !(today.sessions || []).length;
  }

  // One listening: from the first play of a chosen session until Done or the end; its id
  // makes every Done for it (repeated taps, retries, a queue sent after a flight) one record.
  var listening = null;

  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function localIso(d) {
    var pad = function (n) { return String(n).padStart(2, "0"); };
    var offset = -d.getTimezoneOffset();
    var a = Math.abs(offset);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) +
      (offset >= 0 ? "+" : "-") + pad(Math.floor(a / 60)) + ":" + pad(a % 60);
  }

  function startListening() {
    if (!current) { return; }
    var fresh = !listening || listening.key !== current.key ||
      (listening.closed && audio.currentTime < 1);
    if (fresh) {
      listening = { id: newId(), key: current.key, title: current.title,
                    started: localIso(new Date()), closed: false };
    }
  }

  function playedRanges() {
    var out = [];
    for (var i = 0; i < audio.played.length; i++) {
      out.push([audio.played.start(i), audio.played.end(i)]);
    }
    return out;
  }

  function rating(id) {
    var value = byId(id).value;
    return value === "" ? null : Number(value);
  }

  function recordDone() {
    if (!current) { return; }
    if (!listening || listening.key !== current.key) {
      doneStatus.textContent = "Play the session first: Done records the sets you heard.";
      return;
    }
    var payload = { key: listening.key, listening_id: listening.id, started: listening.started,
                    played: playedRanges(), effort: rating("effort"), pain: rating("pain") };
    var title = listening.title;
    listening.closed = true;
    doneButton.disabled = true;
    doneStatus.textContent = "Recording…";
    window.vcOffline.sendDone(payload)
      .then(function (result) {
        if (result.queued) {
          doneStatus.textContent = "Kept on this phone: " + title + " is recorded when the " +
            "computer is reachable again.";
          return;
        }
        var data = result.data;
        showToday(data.today);
        var sets = data.sets + " of " + data.planned_sets + (data.planned_sets === 1 ? " set" : " sets");
        doneStatus.textContent = (data.repeat ? "Already recorded: " + title +
          " (this listening counts once). " : "Recorded: " + title + ", " + sets + " heard. ") +
          data.today.text +
          (data.today.problem ? " (Kept on this computer's library only: the practice " +
            "history could not be written: " + data.today.problem + ")" : "");
      })
      .catch(function (e) {
        listening.closed = false;
        doneStatus.textContent = "Could not record it: " + e.message;
      })
      .then(function () { doneButton.disabled = false; });
  }

  window.vcShowToday = showToday;
  window.vcLocalIso = localIso;

  document.querySelectorAll(".session .play").forEach(function (button) {
    button.addEventListener("click", function () { choose(button.closest(".session"), true); });
  });
  doneButton.addEventListener("click", recordDone);
  audio.addEventListener("timeupdate", function () { markChapter(); setPosition(); });
  audio.addEventListener("durationchange", setPosition);
  audio.addEventListener("seeked", function () { showCueAt(audio.currentTime); });
  audio.addEventListener("ended", function () {
    doneStatus.textContent = "Finished. Press Done to record it.";
  });
  audio.addEventListener("play", startListening);
  audio.addEventListener("error", function () {
    if (!navigator.onLine || !window.vcOffline.reachable()) {
      cueText.textContent = "This session is not kept on this phone. Back on the Wi-Fi, " +
        "press \u201cKeep for offline\u201d to take it along.";
      cueText.classList.remove("past");
    }
  });
  mediaSessionHandlers();

  var copy = byId("copy-feed");
  var address = byId("feed-address");
  if (copy && address) {
    copy.addEventListener("click", function () {
      address.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(address.value).then(function () { copy.textContent = "Copied"; });
      } else if (document.execCommand && document.execCommand("copy")) {
        copy.textContent = "Copied";
      }
    });
  }

  // A link from the feed (…/#ankle-pumps) opens that session, ready to play.
  var wanted = decodeURIComponent(location.hash.slice(1));
  var item = wanted && byId(wanted);
  if (item && item.classList.contains("session")) { choose(item, false); }
})();
