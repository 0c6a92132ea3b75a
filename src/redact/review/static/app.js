"use strict";
// The review page: one sampled document at a time, original beside de-identified. Every decision
// is sent to the local server, which saves it before answering.
const token = new URLSearchParams(location.search).get("token");
const $ = (id) => document.getElementById(id);
let state = null;   // plan and progress, from /api/state
let doc = null;     // the current document, from /api/doc
let focus = -1;     // the current replacement

async function api(path, body) {
  const url = path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token);
  const options = body === undefined ? {} :
    { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(url, options);
  const payload = await response.json();
  if (!response.ok) throw new Error(payload.error || "request failed");
  return payload;
}

function say(message) { $("status").textContent = message || ""; }

function currentIndex() {
  const n = parseInt(location.hash.slice(1), 10);
  return Number.isInteger(n) && n >= 0 && n < state.documents.length ? n : 0;
}

async function refreshState() {
  state = await api("/api/state");
  const pct = (x) => x.toLocaleString("en-US", { maximumFractionDigits: 2 });
  const misses = Object.values(state.misses).reduce((a, b) => a + b, 0);
  const overs = Object.values(state.over_redactions).reduce((a, b) => a + b, 0);
  $("progress").textContent = `Document ${currentIndex() + 1} of ${state.documents.length} · ` +
    `${state.documents_reviewed} reviewed · ${state.words_reviewed.toLocaleString("en-US")} of ` +
    `${state.words_sampled.toLocaleString("en-US")} sampled words · ${misses} missed · ${overs} needless`;
  $("bound").textContent = !state.words_reviewed ? `Target: at most ${pct(state.target_rate)} per 1,000 words` :
    `Residual rate ≤ ${pct(state.upper_bound)} per 1,000 words ` +
    `(${Math.round(state.confidence * 100)}% bound; target ${pct(state.target_rate)})`;
}

// A <pre> filled with text and <mark>s for the given non-overlapping [start, end) stretches.
function fill(pre, text, marks) {
  pre.replaceChildren();
  let pos = 0;
  for (const m of [...marks].sort((a, b) => a.start - b.start)) {
    pre.append(text.slice(pos, m.start));
    const mark = document.createElement("mark");
    mark.className = m.className;
    mark.dataset.label = m.label;
    if (m.rep !== undefined) mark.dataset.rep = m.rep;
    mark.textContent = text.slice(m.start, m.end);
    pre.append(mark);
    pos = m.end;
  }
  pre.append(text.slice(pos));
}

function render() {
  const d = doc.decisions;
  const over = new Set(d.over.map((o) => `${o.out_start}:${o.out_end}`));
  const reps = doc.replacements;
  const isOver = (r) => over.has(`${r.out_start}:${r.out_end}`);
  fill($("original"), doc.original, reps.map((r, k) => (
    { start: r.start, end: r.end, label: r.label, rep: k, className: "rep" + (isOver(r) ? " over" : "") })));
  fill($("output"), doc.output, [
    ...reps.map((r, k) => ({ start: r.out_start, end: r.out_end, label: r.label, rep: k,
      className: "rep" + (isOver(r) ? " over" : "") })),
    ...d.misses.map((m) => ({ start: m.start, end: m.end, label: m.kind, className: "miss" })),
  ]);
  $("doc-id").textContent = `(${doc.id}${d.reviewed ? ", reviewed" : ""})`;
  $("doc-id").className = d.reviewed ? "reviewed" : "";
  $("done").textContent = d.reviewed ? "Reviewed ✓ (d to undo)" : "Document reviewed (d)";
  $("misses").replaceChildren(...d.misses.map((m, i) => {
    const li = document.createElement("li");
    li.append(`${m.kind}: “${m.text}” `);
    const deny = document.createElement("button");
    deny.textContent = m.denied ? "on deny-list" : "add to deny-list";
    deny.disabled = !!m.denied;
    deny.addEventListener("click", () => act("/api/deny", { doc: doc.index, miss: i }, "added to the deny-list"));
    const remove = document.createElement("button");
    remove.textContent = "remove";
    remove.addEventListener("click", () => act("/api/decide", { doc: doc.index, action: "unmiss", miss: i }, "removed"));
    li.append(deny, " ", remove);
    return li;
  }));
  $("overs").replaceChildren(...d.over.map((o) => {
    const li = document.createElement("li");
    const r = reps.find((x) => x.out_start === o.out_start && x.out_end === o.out_end);
    li.textContent = `${o.kind}: “${r ? doc.original.slice(r.start, r.end) : "?"}” → ${doc.output.slice(o.out_start, o.out_end)}`;
    return li;
  }));
  showFocus();
}

function showFocus() {
  for (const m of document.querySelectorAll("mark.focus")) m.classList.remove("focus");
  if (focus < 0) return;
  for (const m of document.querySelectorAll(`mark[data-rep="${focus}"]`)) {
    m.classList.add("focus");
    m.scrollIntoView({ block: "nearest" });
  }
}

async function load(index) {
  location.hash = String(index);
  try {
    doc = await api(`/api/doc?i=${index}`);
    focus = -1;
    render();
    await refreshState();
    say("");
  } catch (error) {
    say(error.message);
  }
}

async function act(path, body, done) {
  try {
    doc.decisions = await api(path, body);
    render();
    await refreshState();
    say(done);
  } catch (error) {
    say(error.message);
  }
}

// Offsets of the selection inside the de-identified text, or null.
function selectionInOutput() {
  const selection = getSelection();
  const pane = $("output");
  if (!selection.rangeCount || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!pane.contains(range.startContainer) || !pane.contains(range.endContainer)) return null;
  const before = document.createRange();
  before.selectNodeContents(pane);
  before.setEnd(range.startContainer, range.startOffset);
  const start = before.toString().length;
  return { start, end: start + range.toString().length };
}

function move(step) {
  const n = currentIndex() + step;
  if (n >= 0 && n < state.documents.length) load(n);
}

function nextReplacement(step) {
  const count = doc.replacements.length;
  if (!count) return say("no replacement in this document");
  focus = focus < 0 ? (step > 0 ? 0 : count - 1) : (focus + step + count) % count;
  showFocus();
  say(`replacement ${focus + 1} of ${count}: ${doc.replacements[focus].label}`);
}

function markMiss() {
  const where = selectionInOutput();
  if (!where) return say("select the missed text in the de-identified document first");
  getSelection().removeAllRanges();
  act("/api/decide", { doc: doc.index, action: "miss", kind: $("kind").value, ...where }, "miss saved");
}

function markOver() {
  if (focus < 0) return say("go to a replacement first (r) or click one");
  act("/api/decide", { doc: doc.index, action: "over", replacement: focus }, "saved");
}

function toggleReviewed() {
  act("/api/decide", { doc: doc.index, action: "reviewed", value: !doc.decisions.reviewed }, "saved");
}

document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.target.tagName === "SELECT") return;
  const keys = {
    n: () => move(1), ArrowRight: () => move(1), p: () => move(-1), ArrowLeft: () => move(-1),
    r: () => nextReplacement(1), R: () => nextReplacement(-1), o: markOver, m: markMiss,
    d: toggleReviewed, k: () => $("kind").focus(),
  };
  if (keys[event.key]) { event.preventDefault(); keys[event.key](); }
});
$("kind").addEventListener("keydown", (event) => {
  if (event.key === "Escape" || event.key === "Enter") { event.preventDefault(); event.target.blur(); }
});
$("prev").addEventListener("click", () => move(-1));
$("next").addEventListener("click", () => move(1));
$("next-rep").addEventListener("click", () => nextReplacement(1));
$("miss").addEventListener("click", markMiss);
$("over").addEventListener("click", markOver);
$("done").addEventListener("click", toggleReviewed);
for (const pane of [$("original"), $("output")]) {
  pane.addEventListener("click", (event) => {
    const mark = event.target.closest("mark[data-rep]");
    if (mark) { focus = parseInt(mark.dataset.rep, 10); showFocus(); }
  });
}

(async () => {
  await refreshState();
  $("kind").replaceChildren(...state.kinds.map((k) => new Option(k, k)));
  await load(currentIndex());
})().catch((error) => say(error.message));
