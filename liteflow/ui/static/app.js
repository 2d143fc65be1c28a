// The liteflow page: plain JavaScript, no build step. Data from the JSON API, live
// updates from Server-Sent Events, texts from the catalog (GET /api/session).
"use strict";

const FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif';
const COLORS = {
  idle: "#9aa5b1", running: "#f0a202", done: "#2e9e5b", failed: "#d64545",
  interrupted: "#7b61ff", cached: "#3a86c8", restored: "#1f9c9c",
};
const app = { session: null, thread: null, detail: null, steps: new Map(), cy: null, selected: null };

// -- small helpers ---------------------------------------------------------------------

function T(key, fields) {
  const template = (app.session && app.session.texts[key]) || key;
  return template.replace(/\{(\w+)\}/g, (_, name) => (fields && name in fields ? fields[name] : "?"));
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === "text") node.textContent = v;
    else if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function showError(message) {
  const box = document.getElementById("error");
  box.textContent = message ? `${T("error")}: ${message}` : "";
  box.hidden = !message;
}

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", "X-Liteflow-Token": app.session.token },
  };
  const response = await fetch(path, init);
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

const enc = encodeURIComponent;
const json = (value) => JSON.stringify(value, null, 2);

function debounce(fn, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

function shown(bounded) {
  if (bounded.truncated) return bounded.preview;
  return json(bounded.value);
}

// -- thread list -----------------------------------------------------------------------

async function loadThreads() {
  const threads = await api("/api/threads");
  const list = document.getElementById("threads");
  list.replaceChildren(...threads.map((t) => el("li", {
    "data-thread": t.thread_id, "data-status": t.status, "data-flow": t.flow,
    class: t.thread_id === app.thread ? "selected" : "",
    onclick: () => selectThread(t.thread_id),
  }, el("div", { class: "name", text: t.thread_id }),
     el("div", { class: "meta", text: `${T("flow")} ${t.flow} · ${T("status_" + t.status)} · ${T("step")} ${t.step} · ${new Date(t.updated_at).toLocaleTimeString()}` }))));
  document.getElementById("no-threads").hidden = threads.length > 0;
}

// -- flows (start a run) ---------------------------------------------------------------

async function loadFlows() {
  if (app.session.readonly) return;
  const flows = await api("/api/flows");
  document.getElementById("flows-panel").hidden = flows.length === 0;
  document.getElementById("flows").replaceChildren(...flows.map(flowForm));
}

function parseTyped(raw, type) {
  if (type === "str") return raw;
  try { return JSON.parse(raw); } catch (_) { return raw; }
}

function flowForm(flow) {
  const fields = flow.inputs.map((input) => el("label", {},
    `${input.key}: ${input.type}${input.required ? " *" : ""}`,
    el("input", { name: input.key, "data-type": input.type })));
  const threadField = el("input", { name: "__thread", placeholder: T("thread_id") });
  const form = el("form", {
    class: "flow-form", "data-flow": flow.name,
    onsubmit: async (event) => {
      event.preventDefault();
      const inputs = {};
      for (const input of form.querySelectorAll("input[data-type]")) {
        if (input.value !== "") inputs[input.name] = parseTyped(input.value, input.dataset.type);
      }
      try {
        showError("");
        const started = await api(`/api/flows/${enc(flow.name)}/runs`,
          { inputs, thread_id: threadField.value || null });
        await loadThreads();
        await selectThread(started.thread_id);
      } catch (error) { showError(error.message); }
    },
  }, el("strong", { text: flow.name }), ...fields, el("label", {}, threadField),
     el("button", { type: "submit", class: "primary", text: T("run_button") }));
  return form;
}

// -- one thread ------------------------------------------------------------------------

async function selectThread(threadId) {
  app.thread = threadId;
  app.selected = null;
  app.steps = new Map();
  for (const li of document.querySelectorAll("#threads li")) {
    li.classList.toggle("selected", li.dataset.thread === threadId);
  }
  document.getElementById("thread").hidden = false;
  document.querySelector("#timeline tbody").replaceChildren();
  document.getElementById("diff").replaceChildren(el("p", { class: "muted", text: T("pick_step") }));
  history.replaceState(null, "", `?${new URLSearchParams({ ...langParam(), thread: threadId })}`);
  for (const link of document.querySelectorAll("#langs a")) {
    link.href = `?${new URLSearchParams({ lang: link.dataset.lang, thread: threadId })}`;
  }
  await refreshThread(true);
}

function langParam() {
  const lang = new URLSearchParams(location.search).get("lang");
  return lang ? { lang } : {};
}

async function refreshThread(redraw) {
  const threadId = app.thread;
  if (!threadId) return;
  const [detail, steps] = await Promise.all([
    api(`/api/threads/${enc(threadId)}`), api(`/api/threads/${enc(threadId)}/steps`)]);
  if (threadId !== app.thread) return;
  const graphChanged = !app.detail || app.detail.thread_id !== detail.thread_id ||
    JSON.stringify(app.detail.graph) !== JSON.stringify(detail.graph);
  app.detail = detail;
  document.getElementById("thread-title").textContent = `${detail.thread_id} · ${detail.flow}`;
  const status = document.getElementById("thread-status");
  status.dataset.status = detail.status;
  status.textContent = `${T("status_" + detail.status)} · ${T("col_branch")} ${detail.branch} · ${T("step")} ${detail.step}`;
  document.getElementById("resume").hidden = app.session.readonly || detail.status === "completed";
  if (redraw || graphChanged) drawGraph(detail.graph);
  showNodeStates(detail.node_states);
  // A branch switch (fork) changes the lineage: rebuild the rows.
  const ids = new Set(steps.map((s) => s.id));
  if ([...app.steps.keys()].some((id) => !ids.has(id))) {
    app.steps = new Map();
    document.querySelector("#timeline tbody").replaceChildren();
  }
  for (const step of steps) addStep(step, false);
  showInterrupts(detail.interrupts);
  showHistory(detail);
}

const refreshSoon = debounce(() => refreshThread(false).catch((e) => showError(e.message)), 150);
const threadsSoon = debounce(() => loadThreads().catch((e) => showError(e.message)), 150);

// -- graph and node states -------------------------------------------------------------

function drawGraph(graph) {
  const elements = [
    ...graph.nodes.map((n) => ({ data: { id: n.id, name: n.name, kind: n.kind, status: "idle" } })),
    ...graph.edges.map((e, i) => ({ data: { id: `e${i}`, source: e.source, target: e.target, kind: e.kind, label: e.label || "" } })),
  ];
  if (app.cy) app.cy.destroy();
  app.cy = cytoscape({
    container: document.getElementById("graph"),
    elements,
    layout: { name: "dagre", rankDir: "LR", nodeSep: 30, rankSep: 60 },
    minZoom: 0.2,
    maxZoom: 1.3,  // a small flow stays at its natural size
    style: [
      { selector: "node", style: {
        label: "data(name)", "font-family": FONT, "font-size": 13, "text-valign": "center",
        "text-halign": "center", shape: "round-rectangle", height: 30,
        width: (n) => Math.max(40, 14 * [...n.data("name")].length),
        padding: "10px", color: "#fff", "background-color": COLORS.idle } },
      ...Object.entries(COLORS).map(([status, color]) => ({
        selector: `node[status = "${status}"]`, style: { "background-color": color } })),
      { selector: 'node[kind = "each"]', style: { "border-width": 3, "border-style": "double", "border-color": "#1f2933" } },
      { selector: 'node[kind = "start"], node[kind = "end"]', style: { shape: "ellipse", "background-color": "#52606d", width: 50 } },
      { selector: 'node[kind = "join"]', style: { shape: "diamond", width: 18, height: 18, label: "", "background-color": "#52606d", padding: 0 } },
      { selector: "edge", style: {
        width: 2, "curve-style": "bezier", "target-arrow-shape": "triangle", "line-color": "#9aa5b1",
        "target-arrow-color": "#9aa5b1", label: "data(label)", "font-family": FONT, "font-size": 11,
        "text-background-color": "#fff", "text-background-opacity": 1 } },
      { selector: 'edge[kind = "when"], edge[kind = "route"]', style: { "line-style": "dashed" } },
      { selector: 'edge[kind = "each"]', style: { width: 4, "line-color": "#3a86c8", "target-arrow-color": "#3a86c8" } },
      { selector: 'edge[kind = "join"]', style: { "line-color": "#616e7c", "target-arrow-color": "#616e7c" } },
    ],
  });
}

function showNodeStates(states) {
  const list = document.getElementById("node-states");
  list.replaceChildren(...Object.entries(states).map(([name, status]) => el("li", {
    "data-node": name, "data-status": status,
  }, el("span", { class: "name", text: name }),
     el("span", { class: "status", "data-status": status, text: T("state_" + status) }))));
  if (app.cy) {
    for (const node of app.cy.nodes()) {
      const status = states[node.data("name")];
      if (status && node.data("kind") !== "join") node.data("status", status);
    }
  }
}

function setNodeState(name, status) {
  const states = {};
  for (const li of document.querySelectorAll("#node-states li")) states[li.dataset.node] = li.dataset.status;
  if (!(name in states)) return;
  states[name] = status;
  showNodeStates(states);
}

// -- timeline and diff -----------------------------------------------------------------

function addStep(step, fresh) {
  if (app.steps.has(step.id)) return;
  app.steps.set(step.id, step);
  const longest = Math.max(1e-6, ...step.nodes.map((n) => n.duration || 0));
  const nodes = el("td", {}, ...step.nodes.map((n) => el("div", {},
    el("span", { class: "node-bar", style: `width:${Math.round(60 * (n.duration || 0) / longest)}px` }),
    `${n.name}${n.instance ? `[${n.instance}]` : ""} ${n.duration === null ? "" : formatDuration(n.duration)}${n.restored ? " ↺" : ""}`)));
  const fork = app.session.readonly ? null : el("button", {
    type: "button", class: "fork", text: T("fork_here"),
    onclick: (event) => { event.stopPropagation(); forkAt(step.step); },
  });
  const row = el("tr", {
    "data-step": step.step, "data-branch": step.branch, "data-kind": step.kind, "data-id": step.id,
    class: fresh ? "fresh" : "", onclick: () => showDiff(step),
  }, el("td", { text: step.step }), el("td", { text: step.branch }), el("td", { text: step.kind }),
     nodes, el("td", { text: step.written_keys.join(", ") }), el("td", { text: step.nbytes }),
     el("td", {}, fork));
  const body = document.querySelector("#timeline tbody");
  const after = [...body.children].find((r) => Number(r.dataset.step) > step.step);
  body.insertBefore(row, after || null);
}

function formatDuration(seconds) {
  return seconds >= 1 ? `${seconds.toFixed(2)} s` : `${(seconds * 1000).toFixed(1)} ms`;
}

async function showDiff(step, full) {
  app.selected = step.id;
  for (const r of document.querySelectorAll("#timeline tbody tr")) r.classList.toggle("selected", r.dataset.id === step.id);
  const query = new URLSearchParams({ step: step.step, branch: step.branch });
  if (full) query.set("full", "1");
  const state = await api(`/api/threads/${enc(app.thread)}/state?${query}`);
  const box = document.getElementById("diff");
  const rows = state.diff.map((d) => el("div", { class: "diff-row", "data-key": d.key },
    el("strong", { text: d.key }),
    d.op === "append"
      ? el("div", {}, el("span", { class: "added", text: `+ ${T("added")}` }), valueBlock(d.added, step))
      : el("div", {},
          el("span", { class: "before", text: T("before") }), valueBlock(d.before, step),
          el("span", { class: "added", text: T("after") }), valueBlock(d.after, step))));
  const values = el("details", {}, el("summary", { text: T("state") }),
    ...Object.entries(state.values).map(([k, v]) => el("div", {}, el("strong", { text: k }), valueBlock(v, step))));
  box.replaceChildren(el("p", { text: T("diff_of", { step: state.step, branch: state.branch }) }),
    ...(rows.length ? rows : [el("p", { class: "muted", text: T("no_writes") })]), values);
}

function valueBlock(bounded, step) {
  const pre = el("pre", { text: shown(bounded) });
  if (!bounded.truncated) return pre;
  return el("div", {}, pre, el("button", { type: "button", class: "show-all", text: T("show_all"), onclick: () => showDiff(step, true) }));
}

// -- history, fork, resume, interrupts -------------------------------------------------

function showHistory(detail) {
  const items = [el("li", { "data-branch": "main", text: "main" })];
  for (const fork of detail.forks) {
    items.push(el("li", { "data-branch": fork.branch, text: T("forked", { branch: fork.branch, step: fork.step }) }));
  }
  for (const li of items) if (li.dataset.branch === detail.branch) li.append(" ◀");
  document.getElementById("history").replaceChildren(...items);
}

async function forkAt(step) {
  try {
    showError("");
    await api(`/api/threads/${enc(app.thread)}/fork`, { step });
    await refreshThread(false);
    threadsSoon();
  } catch (error) { showError(error.message); }
}

async function resume(body) {
  try {
    showError("");
    await api(`/api/threads/${enc(app.thread)}/resume`, body);
    await refreshThread(false);
  } catch (error) { showError(error.message); }
}

function schemaOf(payload) {
  if (payload && typeof payload === "object") {
    const schema = (payload.schema && typeof payload.schema === "object") ? payload.schema : payload.expect;
    if (schema && typeof schema === "object" && schema.properties) return schema;
  }
  return null;
}

// A question is stored with what its answer must be: show the question itself.
function questionOf(payload) {
  return payload && typeof payload === "object" && "question" in payload ? payload.question : payload;
}

function showInterrupts(interrupts) {
  const open = interrupts.filter((i) => !i.answered);
  document.getElementById("interrupts-panel").hidden = open.length === 0;
  document.getElementById("interrupts").replaceChildren(...open.map((item) => {
    const schema = schemaOf(item.payload);
    const fields = schema
      ? Object.entries(schema.properties).map(([name, prop]) => el("label", {}, `${prop.title || name}`,
          el("input", { name, "data-type": prop.type || "string", type: prop.type === "boolean" ? "checkbox" : "text" })))
      : [el("label", {}, T("answer"), el("textarea", { name: "answer", rows: 3 }))];
    const form = el("form", {
      class: "interrupt", "data-interrupt": item.id, onsubmit: (event) => {
        event.preventDefault();
        let value;
        if (schema) {
          value = {};
          for (const input of form.querySelectorAll("input")) {
            const type = input.dataset.type;
            value[input.name] = type === "boolean" ? input.checked
              : (type === "number" || type === "integer") ? Number(input.value) : input.value;
          }
        } else {
          value = parseTyped(form.querySelector("textarea").value, "json");
        }
        resume({ value });
      },
    }, el("div", { text: `${item.node} · ${item.id}` }), el("pre", { class: "payload", text: json(questionOf(item.payload)) }),
       ...fields, el("button", { type: "submit", class: "primary", text: T("resume") }));
    return form;
  }));
}

// -- live updates ----------------------------------------------------------------------

function connect() {
  const live = document.getElementById("live");
  const source = new EventSource("/api/events");
  source.onopen = () => { live.dataset.live = "1"; live.textContent = T("live"); };
  source.onerror = () => { live.dataset.live = "0"; live.textContent = T("offline"); };
  source.addEventListener("step", (event) => {
    const step = JSON.parse(event.data);
    threadsSoon();
    if (step.thread_id !== app.thread) return;
    if (app.detail && step.branch === app.detail.branch) addStep(step, true);
    refreshSoon();
  });
  source.addEventListener("node", (event) => {
    const data = JSON.parse(event.data);
    if (data.thread_id === app.thread) setNodeState(data.node, data.status);
  });
  for (const kind of ["run", "interrupt"]) {
    source.addEventListener(kind, (event) => {
      const data = JSON.parse(event.data);
      threadsSoon();
      if (data.error && data.thread_id === app.thread) showError(data.error);
      if (data.thread_id === app.thread) refreshSoon();
    });
  }
}

// -- start -----------------------------------------------------------------------------

async function main() {
  const params = new URLSearchParams(location.search);
  app.session = await api(`/api/session?${new URLSearchParams(langParam())}`);
  document.documentElement.lang = app.session.language === "zh" ? "zh-CN" : "en";
  document.title = T("title");
  document.getElementById("title").textContent = T("title");
  for (const node of document.querySelectorAll("[data-text]")) node.textContent = T(node.dataset.text);
  const mode = document.getElementById("mode");
  mode.hidden = !app.session.readonly;
  mode.textContent = T("readonly");
  document.getElementById("resume").addEventListener("click", () => resume({}));
  connect();  // before the first reads: nothing committed in between is missed
  await Promise.all([loadThreads(), loadFlows()]);
  const wanted = params.get("thread");
  if (wanted) await selectThread(wanted);
}

// cytoscape-dagre registers its layout itself when it finds window.cytoscape.
main().catch((error) => showError(error.message));
