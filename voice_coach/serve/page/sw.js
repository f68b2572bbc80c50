// The service worker: the page, its scripts and the session list are kept as they were last
// fetched, so the page opens on a plane; sessions kept with "Keep for offline" (cache
// "vc-sessions", filled by offline.js) play from the phone, byte ranges included. Online, the
// network wins for the page and the API; Done (a POST) is never touched here.
"use strict";

var SHELL_CACHE = "vc-shell-v1";
var KEPT_CACHE = "vc-sessions";
var SHELL = ["./", "static/style.css", "static/app.js", "static/offline.js",
             "manifest.webmanifest", "icon-192.png", "icon-512.png", "cover.png",
             "api/sessions"];

function scoped(path) { return new URL(path, self.registration.scope).href; }

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    return cache.addAll(SHELL.map(scoped));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n !== SHELL_CACHE && n !== KEPT_CACHE;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function inRange(request, response) {
  // A kept file answers a Range request as the server would: 206 with that slice.
  var range = request.headers.get("range");
  if (!range) { return response; }
  return response.arrayBuffer().then(function (body) {
    var size = body.byteLength;
    var match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    var start, end;
    if (match && match[1] === "" && match[2] !== "") {
      start = Math.max(0, size - Number(match[2]));
      end = size - 1;
    } else if (match && match[1] !== "") {
      start = Number(match[1]);
      end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
    }
    if (start === undefined || start >= size || start > end) {
      return new Response(null, { status: 416, headers: { "content-range": "bytes */" + size } });
    }
    return new Response(body.slice(start, end + 1), {
      status: 206,
      headers: {
        "content-type": response.headers.get("content-type") || "application/octet-stream",
        "content-range": "bytes " + start + "-" + end + "/" + size,
        "content-length": String(end - start + 1),
        "accept-ranges": "bytes"
      }
    });
  });
}

function fromKept(request) {
  return caches.open(KEPT_CACHE).then(function (cache) {
    return cache.match(request.url, { ignoreVary: true });
  });
}

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(SHELL_CACHE).then(function (cache) { cache.put(request.url, copy); });
    }
    return response;
  }, function () {
    return caches.open(SHELL_CACHE).then(function (cache) {
      return cache.match(request.url, { ignoreSearch: true }).then(function (hit) {
        if (hit) { return hit; }
        if (request.mode === "navigate") { return cache.match(scoped("./")); }
        return Response.error();
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || !request.url.startsWith(self.registration.scope)) { return; }
  var path = request.url.slice(self.registration.scope.length).split(/[?#]/)[0];
  if (path.indexOf("media/") === 0) {
    event.respondWith(fromKept(request).then(function (hit) {
      return hit ? inRange(request, hit) : fetch(request);
    }));
    return;
  }
  event.respondWith(networkFirst(request));
});
