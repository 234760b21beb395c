// The dashboard: polls the two JSON views of the server that serves it, and drives its
// control surface. No library, no build step; every value from the server is set as text.
"use strict";

const UI = "/__mock__/ui";
const CONTROL = "/__mock__/";
const POLL_MS = 1000;
const JOBS_PER_PAGE = 25;
const JOURNAL_PER_PAGE = 50;

const view = {
  jobsPage: 0,
  journalPage: 0,
  filters: new URLSearchParams(),
  shown: { summary: "", journal: "" },
  filled: false,
  mode: null,
  jobsPages: 1,
  journalPages: 1,
};

const $ = (id) => document.getElementById(id);

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const clockTime = (instant) => (instant ? instant.slice(11, 23) : "");
const shortId = (id) => (id ? id.slice(0, 8) : "");

async function getText(url) {
  const response = await fetch(url, { cache: "no-store" });
  const text = await response.text();
  if (!response.ok) {
    let message = `${response.status}`;
    try { message = JSON.parse(text).error || message; } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  return text;
}

async function control(action, body) {
  const message = $("control-message");
  try {
    const response = await fetch(CONTROL + action, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}),
    });
    const answer = await response.json().catch(() => ({}));
    message.textContent = response.ok ? "" : `${action}: ${answer.error || response.status}`;
    message.className = response.ok ? "" : "problem";
  } catch (error) {
    message.textContent = `${action}: ${error.message}`;
    message.className = "problem";
  }
  await refresh();
}

// Rebuilding a table must not take the keyboard's place away: focus goes back to the control
// with the same id, if it is still there.
function keepingFocus(render) {
  const focused = document.activeElement && document.activeElement.id;
  render();
  if (focused && document.activeElement && document.activeElement.id !== focused) {
    const again = $(focused);
    if (again) again.focus();
  }
}

function status(text) {
  return el("span", { class: `status ${text}`, text });
}

function describeMode(summary) {
  const state = summary.state;
  if (summary.mode === "proxy") return `proxy to ${state.upstream} · ${state.journal} request(s) journaled`;
  if (summary.mode === "replay") {
    const unreadable = (state.unreadable || []).length;
    return `replay of ${state.recorded} recorded exchange(s)` + (unreadable ? ` · ${unreadable} unreadable` : "");
  }
  return `mock · ${state.jobs} job(s) · ${state.journal} request(s) journaled`;
}

function fillChoices(summary) {
  if (view.filled) return;
  view.filled = true;
  const form = $("journal-filter");
  for (const method of summary.filters.methods) form.method.append(el("option", { value: method, text: method }));
  for (const model of summary.filters.models) form.model.append(el("option", { value: model, text: model }));
  const choice = $("progression-choice");
  for (const policy of summary.filters.progressions || []) choice.append(el("option", { value: policy, text: policy }));
  if (summary.state.progression) choice.value = summary.state.progression;
}

function renderSummary(summary) {
  fillChoices(summary);
  view.mode = summary.mode;
  $("mode").textContent = describeMode(summary);
  const isMock = summary.mode === "mock";
  for (const id of ["clock", "jobs", "webhooks"]) $(id).hidden = !isMock;
  if (!isMock) return;
  const state = summary.state;
  $("now").textContent = state.now;
  $("now").setAttribute("datetime", state.now);
  $("progression").textContent = state.progression;
  $("step").textContent = state.step_seconds;
  $("pending").textContent = state.webhooks_pending;
  renderJobs(summary.jobs);
  renderWebhooks(summary.webhooks);
}

function renderJobs(jobs) {
  view.jobsPages = Math.max(1, Math.ceil(jobs.total / jobs.per_page));
  $("jobs-count").textContent = `(${jobs.total})`;
  $("jobs-page").textContent = `page ${jobs.page + 1} of ${view.jobsPages}`;
  $("jobs-newer").disabled = jobs.page === 0;
  $("jobs-older").disabled = jobs.page + 1 >= view.jobsPages;
  const rows = jobs.items.map((job) => {
    const timeline = el("ol", { class: "timeline", "aria-label": `status changes of job ${shortId(job.job_id)}` },
      ...job.history.map((change) =>
        el("li", {}, `${change.entered} `, el("time", { datetime: change.at, title: change.at, text: clockTime(change.at) }))));
    let result = null;
    const outcome = job.result || {};
    if (job.thumbnail && outcome.urls) {
      result = el("a", { href: outcome.urls[0], id: `image-${job.job_id}`, target: "_blank" },
        el("img", { class: "thumb", src: job.thumbnail, alt: `result of job ${shortId(job.job_id)}, ${job.size}` }));
    } else if (outcome.error) {
      result = el("span", { class: "error", text: outcome.error });
    }
    const advance = job.terminal ? null : el("button", {
      type: "button", id: `advance-${job.job_id}`, "data-job": job.job_id,
      "aria-label": `Advance job ${shortId(job.job_id)}`, text: "Advance",
    });
    return el("tr", { "data-job": job.job_id },
      el("td", {}, el("span", { class: "id", title: job.job_id, text: shortId(job.job_id) }), el("br"),
        el("time", { datetime: job.created_at, title: job.created_at, text: clockTime(job.created_at) })),
      el("td", {}, el("span", { class: "id", text: job.tenant })),
      el("td", { text: job.model }),
      el("td", { class: "prompt", text: job.prompt_text }),
      el("td", {}, status(job.status), advance ? " " : null, advance,
        job.completed_at ? el("div", {}, "ended ", el("time", { datetime: job.completed_at, title: job.completed_at, text: clockTime(job.completed_at) })) : null,
        job.webhook ? el("div", {}, "webhook ", el("code", { text: job.webhook })) : null),
      el("td", {}, timeline),
      el("td", {}, result));
  });
  if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 7, text: "No jobs yet." })));
  $("jobs-body").replaceChildren(...rows);
}

function renderWebhooks(deliveries) {
  const rows = deliveries.map((delivery) => el("tr", {},
    el("td", {}, el("span", { class: "id", title: delivery.job, text: shortId(delivery.job) })),
    el("td", {}, el("code", { text: delivery.receiver })),
    el("td", { text: String(delivery.attempts.length) }),
    el("td", {}, ...delivery.attempts.map((a, index) => el("span", {
      title: a.problem || `HTTP ${a.status_code}`,
      text: (index ? ", " : "") + (a.status_code ?? (a.problem || "").split(":")[0]),
    }))),
    el("td", { text: delivery.state }),
    el("td", {}, delivery.next_retry ? el("time", { datetime: delivery.next_retry, text: delivery.next_retry }) : "—")));
  if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 6, text: "No webhook deliveries yet." })));
  $("webhooks-body").replaceChildren(...rows);
}

function renderJournal(page) {
  view.journalPages = Math.max(1, Math.ceil(page.total / page.per_page));
  $("journal-count").textContent = `(${page.total} shown of ${page.recorded} kept, ${page.dropped} dropped)`;
  $("journal-page").textContent = `page ${page.page + 1} of ${view.journalPages}`;
  $("journal-newer").disabled = page.page === 0;
  $("journal-older").disabled = page.page + 1 >= view.journalPages;
  const rows = page.entries.map((entry) => {
    const violations = entry.violations || [];
    const request = entry.method + " " + entry.path + (entry.query ? `?${entry.query}` : "");
    let detail = null;
    if (violations.length) {
      detail = el("ul", { class: "violations", "aria-label": "violations" },
        ...violations.map((text) => el("li", { text: `violation: ${text}` })));
    } else if (entry.refused && entry.error) {
      detail = el("span", { class: "error", text: entry.error });
    }
    const kind = violations.length ? "violation" : entry.refused ? "refused" : "";
    return el("tr", { class: kind },
      el("td", {}, el("time", { datetime: entry.at, title: entry.at, text: clockTime(entry.at) })),
      el("td", {}, el("code", { text: request }), entry.body === null ? null
        : el("details", {}, el("summary", { text: "body" }), el("pre", { text: JSON.stringify(entry.body, null, 2) }))),
      el("td", {}, el("span", { class: "id", text: entry.tenant || "" })),
      el("td", { text: entry.model || "" }),
      el("td", {}, status(String(entry.status))),
      el("td", {}, detail));
  });
  if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 6, text: "No requests match." })));
  $("journal-body").replaceChildren(...rows);
}

async function refresh() {
  const summary = await getText(`${UI}/api/summary?page=${view.jobsPage}&per_page=${JOBS_PER_PAGE}`);
  const query = new URLSearchParams(view.filters);
  query.set("page", view.journalPage);
  query.set("per_page", JOURNAL_PER_PAGE);
  const journal = await getText(`${UI}/api/journal?${query}`);
  // Unchanged answers leave the page alone: nothing flickers, nothing loses focus.
  if (summary !== view.shown.summary) {
    view.shown.summary = summary;
    keepingFocus(() => renderSummary(JSON.parse(summary)));
  }
  if (journal !== view.shown.journal) {
    view.shown.journal = journal;
    keepingFocus(() => renderJournal(JSON.parse(journal)));
  }
}

async function poll() {
  const problem = $("connection");
  try {
    if (!document.hidden) await refresh();
    problem.hidden = true;
  } catch (error) {
    problem.textContent = `cannot read the server: ${error.message}`;
    problem.hidden = false;
  }
  setTimeout(poll, POLL_MS);
}

function page(name, delta, pages) {
  view[name] = Math.min(Math.max(0, view[name] + delta), pages - 1);
  refresh();
}

function wire() {
  $("advance-clock").addEventListener("submit", (event) => {
    event.preventDefault();
    control("clock", { advance_seconds: Number($("advance-seconds").value) });
  });
  $("set-progression").addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { policy: $("progression-choice").value };
    if ($("step-seconds").value) body.step_seconds = Number($("step-seconds").value);
    control("progression", body);
  });
  $("reset-open").addEventListener("click", () => $("reset-dialog").showModal());
  $("reset-dialog").addEventListener("close", () => {
    if ($("reset-dialog").returnValue === "confirm") {
      view.jobsPage = 0;
      view.journalPage = 0;
      control("reset");
    }
    $("reset-open").focus();
  });
  $("jobs-body").addEventListener("click", (event) => {
    const job = event.target.closest("button[data-job]");
    if (job) control(`jobs/${job.dataset.job}/advance`, { steps: 1 });
  });
  $("journal-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    view.filters = new URLSearchParams();
    for (const [name, value] of new FormData(event.target)) if (value) view.filters.set(name, value);
    view.journalPage = 0;
    refresh();
  });
  $("jobs-newer").addEventListener("click", () => page("jobsPage", -1, view.jobsPages));
  $("jobs-older").addEventListener("click", () => page("jobsPage", 1, view.jobsPages));
  $("journal-newer").addEventListener("click", () => page("journalPage", -1, view.journalPages));
  $("journal-older").addEventListener("click", () => page("journalPage", 1, view.journalPages));
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
  poll();
}

wire();
