// The script the ledger explorer runs in the reader's browser: it rebuilds
// each shown entry's canonical JSON exactly as core/ledger canonicalEntryJson
// does (keys in sorted order, numbers as JSON writes them, the time as ISO
// text, the reason through JSON.stringify), hashes prevHash ‖ that text with
// WebCrypto's SHA-256, follows the links from the page's anchor, and says
// which entry breaks the chain, if one does. Served as a static file so the
// page needs no inline script.

export const LEDGER_CHECK_PATH = "/assets/ledger-check.js";

export const LEDGER_CHECK_SCRIPT = String.raw`"use strict";
(function () {
  function num(n) {
    return n !== null && typeof n === "number" && isFinite(n) ? String(n) : "null";
  }
  // Byte for byte core/ledger.ts canonicalEntryJson.
  function canonical(e) {
    return '{"actorId":' + num(e.actorId) + ',"communityId":' + num(e.communityId) +
      ',"contributionId":' + num(e.contributionId) + ',"createdAt":"' + new Date(e.createdAt).toISOString() +
      '","kind":' + JSON.stringify(e.kind) + ',"memberId":' + num(e.memberId) + ',"points":' + num(e.points) +
      ',"reason":' + JSON.stringify(e.reason) + ',"seq":' + num(e.seq) + "}";
  }
  async function sha256Hex(text) {
    var digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }
  async function check(data) {
    var prev = data.anchorHash;
    var expected = data.from;
    var results = [];
    var broken = null;
    for (var i = 0; i < data.entries.length; i++) {
      var e = data.entries[i];
      var computed = await sha256Hex(e.prevHash + canonical(e));
      var reason = broken !== null ? "after" :
        e.seq !== expected ? "SEQ_GAP" :
        e.prevHash !== prev ? "PREV_HASH_MISMATCH" :
        e.hash !== computed ? "HASH_MISMATCH" : null;
      if (reason !== null && reason !== "after" && broken === null) broken = { seq: expected, reason: reason };
      results.push({ seq: e.seq, computed: computed, ok: reason === null, reason: reason });
      prev = e.hash;
      expected = e.seq + 1;
    }
    return { broken: broken, results: results };
  }
  var REASONS = {
    HASH_MISMATCH: "its hash does not match its facts (it was altered after it was written)",
    PREV_HASH_MISMATCH: "it does not link to the hash of the entry before it",
    SEQ_GAP: "an entry is missing or out of place here"
  };
  function say(status, text, good) {
    status.textContent = text;
    status.className = "check " + (good ? "good" : "bad");
  }
  async function run() {
    var status = document.getElementById("ledger-check");
    var source = document.getElementById("ledger-data");
    if (status === null || source === null) return;
    if (!window.crypto || !crypto.subtle) {
      status.textContent = "This browser cannot check here (WebCrypto needs an https page); download the ledger and run cairn ledger verify.";
      return;
    }
    var data = JSON.parse(source.textContent);
    status.textContent = "Checking " + data.entries.length + " entries…";
    var outcome = await check(data);
    outcome.results.forEach(function (r) {
      var row = document.getElementById("entry-" + r.seq);
      if (row === null) return;
      row.setAttribute("data-computed-hash", r.computed);
      var cell = row.querySelector(".verdict");
      if (cell !== null) cell.textContent = r.ok ? "✓ intact" : r.reason === "after" ? "not checked" : "✗ breaks";
      if (!r.ok && r.reason !== "after") row.className = "broken";
    });
    if (data.entries.length === 0) {
      say(status, "No entries on this page.", true);
    } else if (outcome.broken === null) {
      say(status, "Verified in your browser: entries #" + data.from + "–#" + data.entries[data.entries.length - 1].seq +
        " are intact and linked to the entry before them.", true);
    } else {
      say(status, "Entry #" + outcome.broken.seq + " breaks the chain: " + REASONS[outcome.broken.reason] + ".", false);
    }
    document.documentElement.setAttribute("data-ledger-check", outcome.broken === null ? "intact" : "broken:" + outcome.broken.seq);
  }
  window.cairnLedger = { canonical: canonical, sha256Hex: sha256Hex, check: check };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run); else run();
})();
`;
