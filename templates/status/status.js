// The status page, live: each `status` event of /api/events (the supervisor's snapshot as JSON)
// redraws the table, the swaps, the chart and the logs in place. Without JavaScript the page as
// served is the same table, as of its loading. Values go in as text (textContent), never as markup.
"use strict";

const seen = {}; // each service's states as this page saw them, oldest first (data-seen)

function duration(seconds) {
  const two = (n) => String(n).padStart(2, "0");
  if (seconds < 60) return seconds + " s";
  if (seconds < 3600) return Math.floor(seconds / 60) + "m " + two(seconds % 60) + "s";
  if (seconds < 86400) return Math.floor(seconds / 3600) + "h " + two(Math.floor((seconds % 3600) / 60)) + "m";
  return Math.floor(seconds / 86400) + "d " + Math.floor((seconds % 86400) / 3600) + "h";
}

function bytes(count) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = count, unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return unit === 0 ? count + " B" : value.toFixed(value >= 100 ? 0 : 1) + " " + units[unit];
}

function health(service) {
  switch (service.state) {
    case "healthy": return "passing";
    case "degraded": {
      const s = service.slowness;
      return "passing, slow" + (s ? ": " + s.measured_tokens_per_second.toFixed(1) + " of " + s.expected_tokens_per_second.toFixed(1) + " tok/s expected" : "");
    }
    case "unhealthy": return "failing";
    case "starting": return "not yet passing";
    case "restarting": return "restarting";
    case "idle": return "unloaded until a request";
    default: return "not checked";
  }
}

function cell(row, tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (tag === "th") element.scope = "row";
  element.textContent = text;
  row.appendChild(element);
  return element;
}

function withoutLogTail(message) {
  const marker = message ? message.indexOf("; last lines of its log:\n") : -1;
  return marker >= 0 ? message.slice(0, marker) : message;
}

function drawTable(services) {
  const body = document.querySelector("#services tbody");
  const rows = [];
  for (const service of services) {
    const states = seen[service.name] || (seen[service.name] = []);
    if (states[states.length - 1] !== service.state) states.push(service.state);
    const row = document.createElement("tr");
    row.dataset.service = service.name;
    row.dataset.state = service.state;
    row.dataset.seen = states.slice(-40).join(" ");
    cell(row, "th", "", service.name);
    const state = cell(row, "td", "state", "");
    const badge = document.createElement("span");
    badge.className = "state state-" + service.state;
    badge.textContent = service.state;
    state.appendChild(badge);
    cell(row, "td", "health", health(service));
    cell(row, "td", "uptime", service.uptime_seconds == null ? "–" : duration(service.uptime_seconds));
    cell(row, "td", "restarts", String(service.restarts));
    cell(row, "td", "memory", service.rss_bytes == null ? "–" : bytes(service.rss_bytes));
    cell(row, "td", "port", String(service.port));
    let model = service.model || "";
    if (service.served_name && service.served_name !== service.model) model += " (served as " + service.served_name + ")";
    cell(row, "td", "model", model);
    rows.push(row);
    const message = withoutLogTail(service.message);
    if (message) {
      const line = document.createElement("tr");
      line.className = "message";
      line.dataset.messageOf = service.name;
      const text = cell(line, "td", "", service.name + ": " + message);
      text.colSpan = 8;
      rows.push(line);
    }
  }
  body.replaceChildren(...rows);
}

function drawSwaps(status) {
  const swap = status.swap, last = status.last_swap;
  document.getElementById("swap").textContent = swap
    ? "Under way: " + swap.service + ": " + (swap.from || "?") + " → " + (swap.to || "?") + ", " + swap.mode + " mode, " + swap.phase + " for " + duration(Math.floor(swap.elapsed_ms / 1000))
    : "No swap under way.";
  document.getElementById("last-swap").textContent = last
    ? "Last: " + last.service + ": " + (last.from || "?") + " → " + (last.model || "?") + ", " + last.mode + ", done: switched in " + last.switch_ms + " ms, " + last.held_requests + " request(s) held"
    : "No swap since the stack started.";
}

function scale(peak) {
  if (!(peak > 0)) return 10;
  let unit = Math.pow(10, Math.floor(Math.log10(peak)));
  for (const factor of [1, 2, 5, 10]) if (unit * factor >= peak) return unit * factor;
  return unit * 10;
}

// As ThroughputChart.path: evenly spaced samples, newest at the right, gaps where no speed.
function path(values, capacity, top) {
  if (!(top > 0) || capacity < 2) return "";
  const step = 600 / (capacity - 1), offset = capacity - values.length, parts = [];
  let run = 0;
  values.forEach((value, index) => {
    if (value == null) { if (run === 1) parts.push("l 0.5 0"); run = 0; return; }
    const y = 120 - (Math.min(value, top) / top) * 120;
    parts.push((run === 0 ? "M" : "L") + " " + ((offset + index) * step).toFixed(1) + " " + y.toFixed(1));
    run++;
  });
  if (run === 1) parts.push("l 0.5 0");
  return parts.join(" ");
}

function drawChart(history) {
  if (!document.getElementById("chart")) return;
  const samples = history.samples;
  const peak = Math.max(0, ...samples.flatMap((s) => [s.prompt, s.generation]).filter((v) => v != null));
  const top = scale(peak);
  document.getElementById("chart-prompt").setAttribute("d", path(samples.map((s) => s.prompt), history.capacity, top));
  document.getElementById("chart-generation").setAttribute("d", path(samples.map((s) => s.generation), history.capacity, top));
  document.getElementById("chart-top").textContent = top + " tok/s";
  const last = [...samples].reverse().find((s) => s.prompt != null || s.generation != null);
  const figure = (v) => (v == null ? "–" : v.toFixed(1));
  document.getElementById("chart-latest").textContent = last
    ? "last: prompt " + figure(last.prompt) + " tok/s, generation " + figure(last.generation) + " tok/s"
    : "no tokens processed yet";
}

function drawLogs(logs) {
  const box = document.getElementById("logs");
  if (!box || !logs) return;
  for (const [service, lines] of Object.entries(logs)) {
    let details = box.querySelector('details[data-log="' + CSS.escape(service) + '"]');
    if (!details) {
      details = document.createElement("details");
      details.dataset.log = service;
      const summary = document.createElement("summary");
      summary.textContent = service;
      details.append(summary, document.createElement("pre"));
      box.appendChild(details);
    }
    const pre = details.querySelector("pre");
    const text = lines.join("\n");
    if (pre.textContent !== text) {
      const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      pre.textContent = text;
      if (atBottom) pre.scrollTop = pre.scrollHeight;
    }
  }
}

function connect() {
  const updated = document.getElementById("updated");
  const events = new EventSource("/api/events");
  events.addEventListener("status", (event) => {
    const snapshot = JSON.parse(event.data);
    drawTable(snapshot.status.services);
    drawSwaps(snapshot.status);
    drawChart(snapshot.throughput);
    drawLogs(snapshot.logs);
    updated.dataset.live = "yes";
    updated.textContent = "Live, updated " + new Date().toLocaleTimeString() + ".";
  });
  events.addEventListener("error", () => {
    updated.dataset.live = "no";
    updated.textContent = "Not connected to the supervisor (stopped?); retrying.";
  });
}

connect();
