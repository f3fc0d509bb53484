// Clinician console: the escalation queue, one escalation's summary and conversation, and actions.
// Plain DOM with textContent only (never innerHTML with data): patient text is untrusted.
"use strict";

const POLL_MS = 3000;
const $ = (id) => document.getElementById(id);
const state = { selected: null, detail: null, items: [] };

const keyInput = $("apikey");
const clinicianInput = $("clinician");
keyInput.value = sessionStorage.getItem("vha.key") || window.VHA_LOCAL_KEY || "";
clinicianInput.value = localStorage.getItem("vha.clinician") || "";
keyInput.addEventListener("change", () => { sessionStorage.setItem("vha.key", keyInput.value); refresh(); });
clinicianInput.addEventListener("change", () => localStorage.setItem("vha.clinician", clinicianInput.value.trim()));
$("status-filter").addEventListener("change", () => loadQueue());
$("who").addEventListener("submit", (e) => e.preventDefault());

function notice(text, ok) {
  const box = $("notice");
  box.textContent = text;
  box.className = "notice" + (ok ? " ok" : "");
  box.hidden = !text;
}

async function api(path, options = {}) {
  const headers = { "Content-Type": "application/json", "X-API-Key": keyInput.value };
  const who = clinicianInput.value.trim();
  if (who) headers["X-Clinician-Id"] = who;
  const response = await fetch(path, { ...options, headers: { ...headers, ...(options.headers || {}) } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.message || ("HTTP " + response.status));
    error.status = response.status;
    throw error;
  }
  return body;
}

function needClinician() {
  if (clinicianInput.value.trim()) return true;
  notice("Enter your name or id first (it goes in the audit trail).");
  clinicianInput.focus();
  return false;
}

function dueText(dueAt, status) {
  if (status === "resolved") return "resolved";
  const seconds = Math.round((Date.parse(dueAt) - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  const text = abs >= 3600 ? Math.floor(abs / 3600) + " h " + Math.floor((abs % 3600) / 60) + " min"
    : abs >= 60 ? Math.floor(abs / 60) + " min " + (abs % 60) + " s" : abs + " s";
  return seconds < 0 ? "overdue " + text : "due in " + text;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

// -- queue ----------------------------------------------------------------------------------------
async function loadQueue() {
  try {
    const data = await api("/v1/escalations?limit=200&status=" + encodeURIComponent($("status-filter").value));
    state.items = data.items;
    renderQueue();
  } catch (error) {
    notice("Could not load the queue: " + error.message);
  }
}

function renderQueue() {
  const list = $("queue");
  list.replaceChildren();
  $("queue-count").textContent = "(" + state.items.length + ")";
  $("queue-empty").hidden = state.items.length > 0;
  for (const item of state.items) {
    const li = el("li");
    const button = el("button", "queue-item p" + Math.min(item.priority, 3));
    button.type = "button";
    button.dataset.id = item.id;
    button.setAttribute("aria-current", String(item.id === state.selected));
    const line1 = el("div", "line1");
    const due = el("span", "due", dueText(item.due_at, item.status));
    due.dataset.due = item.due_at;
    due.dataset.status = item.status;
    if (due.textContent.startsWith("overdue")) due.classList.add("overdue");
    const who = el("span", "badge", item.status === "open" ? "open" : item.status + (item.assignee ? " · " + item.assignee : ""));
    line1.append(due, who);
    if (item.flagged) line1.append(el("span", "badge flag", "flagged"));
    button.append(line1, el("div", "headline", item.headline), el("div", "muted", item.target));
    button.addEventListener("click", () => select(item.id));
    li.append(button);
    list.append(li);
  }
}

function tick() {
  for (const node of document.querySelectorAll(".due[data-due]")) {
    node.textContent = dueText(node.dataset.due, node.dataset.status);
    node.classList.toggle("overdue", node.textContent.startsWith("overdue"));
  }
}

// -- one escalation -------------------------------------------------------------------------------
async function select(id) {
  state.selected = id;
  if (location.hash !== "#" + id) history.replaceState(null, "", "#" + id);
  renderQueue();
  await loadDetail();
}

async function loadDetail() {
  if (!state.selected) return;
  try {
    state.detail = await api("/v1/escalations/" + encodeURIComponent(state.selected));
    renderDetail(state.detail);
  } catch (error) {
    notice("Could not load the escalation: " + error.message);
  }
}

function listFacts(target, items) {
  target.replaceChildren();
  if (!items || !items.length) { target.append(el("li", "muted", "none recorded")); return; }
  for (const item of items) {
    const label = item.display || item.label || item.name || item.text || item.id || item.code || JSON.stringify(item);
    const extra = item.code && item.code !== label ? " (" + item.code + ")" : "";
    target.append(el("li", "", label + extra + (item.present === false ? " — absent" : "")));
  }
}

function pretty(value) {
  if (value === null || value === undefined || value === "") return "not available";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function renderDetail(d) {
  $("placeholder").hidden = true;
  $("detail").hidden = false;
  $("detail-title").textContent = d.headline;
  $("detail-meta").textContent = [
    "Patient: " + (d.patient_ref || "unknown"),
    "Conversation: " + d.conversation_id,
    "Queue: " + d.target + (d.on_call ? " (on call: " + d.on_call + ")" : ""),
    d.status === "resolved" ? "Resolved: " + (d.outcome || "") : dueText(d.due_at, d.status),
    "Status: " + d.status + (d.assignee ? " by " + d.assignee : ""),
    d.human_in_charge ? "A clinician is in charge of the chat" : "The assistant is in charge of the chat",
  ].join(" · ");
  $("detail-flag").hidden = !d.flagged;
  $("detail-flag").textContent = d.flagged ? "Flagged: " + (d.flag_reason || "needs attention") : "";
  listFacts($("red-flags"), d.red_flags);
  listFacts($("findings"), d.findings);
  $("context").textContent = pretty(d.patient_context);
  $("wearables").textContent = pretty(d.wearable_summary);

  const me = clinicianInput.value.trim();
  const mine = d.status === "claimed" && d.assignee === me;
  $("claim").disabled = d.status !== "open";
  $("claim").textContent = d.status === "open" ? "Claim" : d.status === "claimed" ? "Claimed by " + d.assignee : "Resolved";
  $("reply-send").disabled = !mine;
  $("handback").disabled = !(mine && d.human_in_charge);
  $("resolve").disabled = !(mine || d.status === "open");

  const transcript = $("transcript");
  const atBottom = transcript.scrollTop + transcript.clientHeight >= transcript.scrollHeight - 4;
  transcript.replaceChildren();
  for (const line of d.conversation.length ? d.conversation : d.transcript_excerpt) {
    const kind = line.type || (line.role === "patient" ? "user" : line.role === "clinician" ? "agent" : "bot");
    if (kind === "handoff") {
      transcript.append(el("li", "event", (line.to === "human" ? "Clinician took over" : "Handed back to the assistant") + (line.by ? " (" + line.by + ")" : "")));
    } else if (kind === "escalation") {
      transcript.append(el("li", "event", "Escalation raised: " + (line.reason || "")));
    } else {
      const who = kind === "user" ? "Patient" : kind === "agent" ? (line.agent || "Clinician") : "Assistant";
      const item = el("li", kind, who + ": " + (line.text || ""));
      item.dataset.kind = kind;
      transcript.append(item);
    }
  }
  if (atBottom) transcript.scrollTop = transcript.scrollHeight;

  const audit = $("audit");
  audit.replaceChildren(...d.audit.map((a) => el("li", "", a.at + " — " + a.action + " — " + a.actor)));
  const deliveries = $("deliveries");
  deliveries.replaceChildren(...d.deliveries.map((j) => el("li", "", j.event_type + " → " + j.target + ": " + j.status + " (" + j.attempts + " attempt(s))")));
}

// -- actions --------------------------------------------------------------------------------------
async function act(path, body, success) {
  if (!state.selected || !needClinician()) return;
  try {
    await api("/v1/escalations/" + encodeURIComponent(state.selected) + path, {
      method: "POST",
      body: body ? JSON.stringify(body) : undefined,
    });
    notice(success, true);
    await Promise.all([loadQueue(), loadDetail()]);
    return true;
  } catch (error) {
    notice(error.status === 409 ? "Not possible: " + error.message : "Failed: " + error.message);
    await Promise.all([loadQueue(), loadDetail()]);
    return false;
  }
}

$("claim").addEventListener("click", () => act("/claim", null, "Claimed. You can now reply to the patient."));
$("handback").addEventListener("click", () => act("/handback", {}, "The assistant is back in charge of the chat."));
$("reply-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("reply-text").value.trim();
  if (!text) return;
  if (await act("/reply", { text }, "Reply sent to the patient.")) $("reply-text").value = "";
});
$("resolve-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act("/resolve", { outcome: $("outcome").value, note: $("outcome-note").value.trim() }, "Resolved.");
});

async function refresh() {
  await loadQueue();
  if (state.selected) await loadDetail();
}

const fromHash = location.hash.slice(1);
if (fromHash) state.selected = fromHash;
refresh();
setInterval(refresh, POLL_MS);
setInterval(tick, 1000);
