// vidgist serve's page: upload and past jobs at #/, a job's result at #/jobs/<id>.
// It talks to the same-origin JSON API; a ?token= in the page's URL is kept for the session
// and sent with every request (as a header, or as a parameter where a URL must do).
import { applyI18n, currentLang, hasString, setText, t, toggleLang } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const ACTIVE = ["queued", "running"];
const token = initToken();

// ---------------------------------------------------------------- API

function initToken() {
  const fromUrl = new URLSearchParams(location.search).get("token");
  if (fromUrl) sessionStorage.setItem("vidgist.token", fromUrl);
  return sessionStorage.getItem("vidgist.token");
}

function authHeaders() {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** A URL for <video>, <img>, <track> and <a>, which send no headers: the token rides along. */
function mediaUrl(path, extra = {}) {
  const params = new URLSearchParams(extra);
  if (token) params.set("token", token);
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

function jobPath(id, rest = "") {
  return `/api/jobs/${encodeURIComponent(id)}${rest}`;
}

function fileUrl(id, name, extra) {
  return mediaUrl(jobPath(id, `/files/${name.split("/").map(encodeURIComponent).join("/")}`), extra);
}

class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

/** FastAPI's {"detail": ...}: a string, or a list of {msg} for a malformed request. */
function detailText(body, fallback) {
  const detail = body && body.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map((d) => d.msg || JSON.stringify(d)).join("; ");
  return fallback;
}

/** fetch with the token; answers {status, body}, throws ApiError for a non-2xx answer. */
async function request(path, { method = "GET", json } = {}) {
  const init = { method, headers: authHeaders() };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, t("networkError"));
  }
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, detailText(body, `${response.status} ${response.statusText}`));
  return { status: response.status, body };
}

async function api(path, options) {
  return (await request(path, options)).body;
}

// ---------------------------------------------------------------- small helpers

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function svgEl(tag, attributes = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** mm:ss, or h:mm:ss from an hour on. */
function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const mmss = `${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mmss}` : mmss;
}

const round1 = (x) => Math.round(x * 10) / 10;
const totalLength = (segments) => segments.reduce((sum, s) => sum + (s.end - s.start), 0);

/** A short stable key for a result's segments: the highlight's URL changes when they do. */
function segmentsKey(segments) {
  let hash = 5381;
  for (const ch of JSON.stringify(segments)) hash = ((hash * 33) ^ ch.charCodeAt(0)) >>> 0;
  return hash.toString(36);
}

/** Run fn now and again ms after each run ends, until it answers false or stop() is called. */
function poll(fn, ms) {
  let timer = null;
  let stopped = false;
  const tick = async () => {
    const again = await fn();
    if (!stopped && again !== false) timer = setTimeout(tick, ms);
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** What a route started (pollers), stopped when the route changes. */
class View {
  constructor() {
    this.active = true;
    this.stoppers = [];
  }

  poll(fn, ms) {
    this.stoppers.push(poll(fn, ms));
  }

  stop() {
    this.active = false;
    this.stoppers.forEach((stop) => stop());
  }
}

function showView(id) {
  for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== id;
}

function showError(node, key, args) {
  setText(node, key, args);
  node.hidden = false;
}

/** A job's status as a translated badge. */
function setStatus(node, status) {
  node.className = `badge status-${status}`;
  setText(node, `status.${status}`);
}

/** The stage's translated name, or the job's status while no stage is given. */
function setStage(node, job) {
  const key = job.stage ? `stage.${job.stage}` : `status.${job.status}`;
  if (hasString(key)) setText(node, key);
  else {
    delete node.dataset.i18n;
    node.textContent = job.stage;
  }
}

function setProgress(bar, label, job) {
  bar.value = job.progress || 0;
  setStage(label, job);
}

// ---------------------------------------------------------------- routes

let view = new View();

function route() {
  view.stop();
  view = new View();
  const match = location.hash.match(/^#\/jobs\/([^/?#]+)/);
  if (match) showJob(view, decodeURIComponent(match[1]));
  else showHome(view);
}

// ---------------------------------------------------------------- home: upload and past jobs

let uploading = false; // an upload in flight keeps its progress shown across routes

function showHome(home) {
  showView("home-view");
  if (!uploading) for (const id of ["upload-status", "analysis-status", "upload-error"]) $(id).hidden = true;
  home.poll(refreshJobs, 2000);
}

function chooseFiles(files) {
  if (!files.length) return;
  $("file-input").files = files;
  showChosenFile();
}

function showChosenFile() {
  const file = $("file-input").files[0];
  if (file) setText($("file-name"), "chosenFile", { name: file.name });
  $("upload-error").hidden = true;
}

function uploadFormData(file) {
  const form = new FormData();
  form.append("file", file);
  const percent = parseFloat($("upload-ratio").value);
  if (percent > 0) form.append("ratio", String(Math.min(percent, 100) / 100));
  const query = $("upload-query").value.trim();
  if (query) form.append("query", query);
  const language = $("language").value.trim();
  if (language) form.append("language", language);
  form.append("speech", $("speech").value);
  form.append("ocr", String($("ocr").checked));
  return form;
}

/** POST the form with XMLHttpRequest, for its upload progress; answers the new job. */
function upload(form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/jobs");
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.response);
      else reject(new ApiError(xhr.status, detailText(xhr.response, `${xhr.status} ${xhr.statusText}`)));
    };
    xhr.onerror = () => reject(new ApiError(0, t("networkError")));
    xhr.send(form);
  });
}

function showUploadProgress(fraction) {
  $("upload-progress").value = fraction;
  setText($("upload-label"), "uploading", { percent: Math.round(fraction * 100) });
}

async function onUpload(event) {
  event.preventDefault();
  const home = view;
  const file = $("file-input").files[0];
  $("upload-error").hidden = true;
  $("analysis-status").hidden = true;
  if (!file) return showError($("upload-error"), "noFile");
  $("upload-button").disabled = true;
  uploading = true;
  $("upload-status").hidden = false;
  showUploadProgress(0);
  try {
    const job = await upload(uploadFormData(file), showUploadProgress);
    showUploadProgress(1);
    refreshJobs();
    followAnalysis(home, job.id);
  } catch (e) {
    if (e.status === 413) showError($("upload-error"), "tooLarge");
    else showError($("upload-error"), "uploadFailed", { detail: e.message });
  } finally {
    uploading = false;
    $("upload-button").disabled = false;
  }
}

/** Poll the new job each second; open its result when done, or show why it is not. */
function followAnalysis(home, id) {
  if (!home.active) return;
  $("analysis-status").hidden = false;
  home.poll(async () => {
    let job;
    try {
      job = await api(jobPath(id));
    } catch (e) {
      showError($("upload-error"), "loadFailed", { detail: e.message });
      return false;
    }
    setProgress($("analysis-progress"), $("analysis-label"), job);
    if (job.status === "done") location.hash = `#/jobs/${encodeURIComponent(id)}`;
    else if (job.status === "failed") showError($("upload-error"), "errorLabel", { detail: job.error || "" });
    else if (job.status === "cancelled") showError($("upload-error"), "status.cancelled");
    return ACTIVE.includes(job.status);
  }, 1000);
}

async function refreshJobs() {
  try {
    renderJobs((await api("/api/jobs")).jobs);
    $("jobs-error").hidden = true;
  } catch (e) {
    showError($("jobs-error"), "loadFailed", { detail: e.message });
  }
}

/** Update the table in place (a row per job, newest first), so a button under the pointer stays. */
function renderJobs(jobs) {
  const body = $("jobs-body");
  const rows = new Map([...body.rows].map((row) => [row.dataset.id, row]));
  jobs.forEach((job, i) => {
    const row = rows.get(job.id) || jobRow(job.id);
    updateJobRow(row, job);
    if (body.rows[i] !== row) body.insertBefore(row, body.rows[i] || null);
    rows.delete(job.id);
  });
  rows.forEach((row) => row.remove());
  $("no-jobs").hidden = jobs.length > 0;
  $("jobs").hidden = jobs.length === 0;
}

function jobRow(id) {
  const row = el("tr");
  row.dataset.id = id;
  const link = el("a");
  link.href = `#/jobs/${encodeURIComponent(id)}`;
  const progress = el("td", "progress-cell");
  progress.append(el("progress"), el("span", "percent"));
  const actions = el("td", "actions");
  actions.append(jobButton("cancel", () => cancelJob(id)), jobButton("delete", () => deleteJob(id)));
  const name = el("td");
  name.append(link);
  const status = el("td");
  status.append(el("span"));
  row.append(name, status, progress, el("td", "muted"), actions);
  return row;
}

function jobButton(key, onClick) {
  const button = setText(el("button", `small ${key}`), key);
  button.type = "button";
  button.addEventListener("click", onClick);
  return button;
}

function updateJobRow(row, job) {
  const [name, status, progress, created, actions] = row.cells;
  name.firstChild.textContent = job.name || job.id;
  setStatus(status.firstChild, job.status);
  const fraction = job.status === "done" ? 1 : job.progress || 0;
  progress.querySelector("progress").value = fraction;
  progress.querySelector(".percent").textContent = `${Math.round(fraction * 100)}%`;
  created.textContent = new Date(job.created * 1000).toLocaleString(currentLang() === "zh" ? "zh-CN" : "en");
  actions.querySelector(".cancel").hidden = !ACTIVE.includes(job.status);
  actions.querySelector(".delete").hidden = job.status === "running";
}

async function cancelJob(id) {
  await api(jobPath(id, "/cancel"), { method: "POST" }).catch((e) => showError($("jobs-error"), "loadFailed", { detail: e.message }));
  refreshJobs();
}

async function deleteJob(id) {
  if (!confirm(t("confirmDelete"))) return;
  await api(jobPath(id), { method: "DELETE" }).catch((e) => showError($("jobs-error"), "loadFailed", { detail: e.message }));
  refreshJobs();
}

// ---------------------------------------------------------------- a job's result

/** The job shown at #/jobs/<id> and its summary.json. */
const page = { id: null, result: null };

function showJob(jobView, id) {
  showView("job-view");
  resetJobView(id);
  jobView.poll(async () => {
    try {
      const job = await api(jobPath(id));
      renderJobHead(job);
      if (job.status !== "done") return ACTIVE.includes(job.status);
      const result = await api(jobPath(id, "/result"));
      if (jobView.active) renderResult(result);
    } catch (e) {
      if (e.status === 404) showError($("job-error"), "jobNotFound");
      else showError($("job-error"), "loadFailed", { detail: e.message });
    }
    return false;
  }, 1000);
}

function resetJobView(id) {
  Object.assign(page, { id, result: null });
  $("job-name").textContent = "";
  $("job-info").textContent = "";
  $("job-status").textContent = "";
  for (const part of ["job-progress", "job-error", "warnings", "result"]) $(part).hidden = true;
  $("reselect-status").textContent = "";
  for (const video of [$("highlight"), $("source")]) {
    video.pause();
    video.removeAttribute("src");
    video.replaceChildren();
    video.load();
  }
}

function renderJobHead(job) {
  $("job-name").textContent = job.name || job.id;
  setStatus($("job-status"), job.status);
  $("job-progress").hidden = !ACTIVE.includes(job.status);
  setProgress($("job-progress-bar"), $("job-progress-label"), job);
  if (job.status === "failed") showError($("job-error"), "errorLabel", { detail: job.error || "" });
}

function resultDuration(result) {
  const times = result.frames?.times || [];
  return result.source?.duration || times[times.length - 1] || 1;
}

/** Draw everything from a summary.json; the source player keeps playing through a re-render. */
function renderResult(result) {
  page.result = result;
  $("result").hidden = false;
  setText($("job-info"), "summaryInfo", {
    highlight: round1(totalLength(result.segments || [])),
    duration: round1(resultDuration(result)),
    count: (result.segments || []).length,
  });
  renderWarnings(result.warnings || []);
  renderHighlight(result);
  renderSource(result);
  renderControls(result);
  drawPlot(result);
  renderChapters(result.chapters || []);
  renderSummaryText(result.summary_text || []);
  renderStoryboard(result.keyframes || []);
  renderTranscript(result.transcript || []);
  renderDownloads(result.outputs || {});
}

function renderWarnings(warnings) {
  $("warnings").hidden = warnings.length === 0;
  $("warnings-list").replaceChildren(...warnings.map((w) => el("li", "", typeof w === "string" ? w : JSON.stringify(w))));
}

function addTrack(video, kind, url, key, isDefault) {
  const track = setText(el("track"), key);
  track.kind = kind;
  track.src = url;
  const language = page.result.speech?.language || page.result.settings?.language;
  if (language) track.srclang = language;
  track.default = isDefault;
  video.append(track);
}

function renderHighlight(result) {
  const video = $("highlight");
  const outputs = result.outputs || {};
  $("no-highlight").hidden = Boolean(outputs.video);
  video.hidden = !outputs.video;
  if (!outputs.video) return;
  const version = { v: segmentsKey(result.segments || []) };
  const src = fileUrl(page.id, outputs.video, version);
  if (video.getAttribute("src") === src) return;
  video.pause();
  video.replaceChildren();
  video.src = src;
  if (outputs.chapters_vtt) addTrack(video, "chapters", fileUrl(page.id, outputs.chapters_vtt, version), "chapters", false);
  if (outputs.subtitles_vtt) addTrack(video, "subtitles", fileUrl(page.id, outputs.subtitles_vtt, version), "transcript", true);
  video.load();
}

function renderSource(result) {
  const video = $("source");
  if (video.getAttribute("src")) return;
  video.src = mediaUrl(jobPath(page.id, "/source"));
  if (result.outputs?.transcript_vtt) {
    addTrack(video, "subtitles", fileUrl(page.id, result.outputs.transcript_vtt), "transcript", false);
  }
}

/** Play the original from a moment, bringing its player into view if it is scrolled away. */
function playSourceAt(seconds) {
  const video = $("source");
  video.currentTime = seconds;
  video.play().catch(() => {}); // refused autoplay: the player stays paused at that moment
  const box = video.getBoundingClientRect();
  if (box.bottom < 0 || box.top > innerHeight) video.scrollIntoView({ block: "center" });
}

// -------- length and query: a new selection from the cached analysis

function renderControls(result) {
  const slider = $("length");
  slider.value = String(Math.min(0.5, Math.max(0.05, (result.budget || 0) / resultDuration(result))));
  showLength();
  $("query").value = result.settings?.query || "";
}

function showLength() {
  const ratio = Number($("length").value);
  const duration = page.result ? resultDuration(page.result) : 0;
  setText($("length-value"), "lengthValue", { seconds: round1(ratio * duration), percent: Math.round(ratio * 100) });
}

function setBusy(busy) {
  $("result").setAttribute("aria-busy", String(busy));
  for (const id of ["length", "query", "apply"]) $(id).disabled = busy;
}

async function reselect() {
  const id = page.id;
  const body = { ratio: Number($("length").value) };
  const query = $("query").value.trim();
  if (query) body.query = query;
  $("highlight").pause(); // it is about to be replaced
  setBusy(true);
  setText($("reselect-status"), "updating");
  try {
    const answer = await request(jobPath(id, "/reselect"), { method: "POST", json: body });
    const result = answer.status === 202 ? await waitForResult(id) : answer.body;
    if (page.id !== id) return;
    renderResult(result);
    const segments = result.segments || [];
    setText($("reselect-status"), "updated", { seconds: round1(totalLength(segments)), count: segments.length });
  } catch (e) {
    setText($("reselect-status"), "reselectFailed", { detail: e.message });
  } finally {
    setBusy(false);
  }
}

/** After a 202 from reselect: poll the job each second until done, then read its result. */
async function waitForResult(id) {
  for (;;) {
    await sleep(1000);
    const job = await api(jobPath(id));
    if (page.id === id) renderJobHead(job);
    if (job.status === "done") return api(jobPath(id, "/result"));
    if (!ACTIVE.includes(job.status)) throw new ApiError(0, job.error || t(`status.${job.status}`));
  }
}

// -------- the importance plot

const PLOT = { width: 900, height: 200, left: 40, right: 12, top: 10, bottom: 34 };

function plotScale(duration) {
  const w = PLOT.width - PLOT.left - PLOT.right;
  const h = PLOT.height - PLOT.top - PLOT.bottom;
  return {
    x: (seconds) => PLOT.left + (seconds / duration) * w,
    y: (score) => PLOT.top + (1 - score) * h,
    seconds: (x) => Math.min(duration, Math.max(0, ((x - PLOT.left) / w) * duration)),
  };
}

/** A tick step giving at most about ten labels along the time axis. */
function tickStep(duration) {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
  return steps.find((step) => duration / step <= 10) || 7200;
}

function drawPlot(result) {
  const svg = $("importance-plot");
  const duration = resultDuration(result);
  const scale = plotScale(duration);
  const bottom = scale.y(0);
  svg.replaceChildren();
  for (const s of result.segments || []) {
    svg.append(svgEl("rect", {
      class: "segment", x: scale.x(s.start), y: PLOT.top, width: Math.max(1, scale.x(s.end) - scale.x(s.start)),
      height: bottom - PLOT.top, "data-start": s.start, "data-end": s.end,
    }));
  }
  drawAxes(svg, scale, duration);
  const { times = [], scores = [] } = result.frames || {};
  const points = times.map((time, i) => `${scale.x(time).toFixed(1)},${scale.y(scores[i] ?? 0).toFixed(1)}`);
  svg.append(svgEl("polyline", { class: "curve", points: points.join(" ") }));
  svg.append(svgEl("line", { id: "playhead", class: "playhead", x1: PLOT.left, x2: PLOT.left, y1: PLOT.top, y2: bottom }));
  movePlayhead();
}

function drawAxes(svg, scale, duration) {
  const bottom = scale.y(0);
  svg.append(svgEl("line", { class: "axis", x1: PLOT.left, x2: scale.x(duration), y1: bottom, y2: bottom }));
  svg.append(svgEl("line", { class: "axis", x1: PLOT.left, x2: PLOT.left, y1: PLOT.top, y2: bottom }));
  const step = tickStep(duration);
  for (let s = 0; s <= duration + 1e-6; s += step) {
    svg.append(svgEl("line", { class: "tick", x1: scale.x(s), x2: scale.x(s), y1: bottom, y2: bottom + 4 }));
    svg.append(label(String(s), { x: scale.x(s), y: bottom + 16, "text-anchor": "middle" }));
  }
  for (const score of [0, 0.5, 1]) {
    svg.append(svgEl("line", { class: "grid", x1: PLOT.left, x2: scale.x(duration), y1: scale.y(score), y2: scale.y(score) }));
    svg.append(label(String(score), { x: PLOT.left - 6, y: scale.y(score) + 4, "text-anchor": "end" }));
  }
  svg.append(setText(label("", { x: scale.x(duration), y: PLOT.height - 2, "text-anchor": "end" }), "timeAxis"));
}

function label(text, attributes) {
  const node = svgEl("text", { class: "label", ...attributes });
  node.textContent = text;
  return node;
}

function movePlayhead() {
  const line = $("playhead");
  if (!line || !page.result) return;
  const x = plotScale(resultDuration(page.result)).x($("source").currentTime || 0);
  line.setAttribute("x1", x);
  line.setAttribute("x2", x);
}

function onPlotClick(event) {
  if (!page.result) return;
  const svg = $("importance-plot");
  const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(svg.getScreenCTM().inverse());
  playSourceAt(plotScale(resultDuration(page.result)).seconds(point.x));
}

// -------- chapters, text summary, storyboard, transcript, downloads

/** A list entry that seeks the original when clicked: its time as a button, then its content. */
function timedItem(tag, start, ...content) {
  const item = el(tag, "seek");
  item.dataset.start = String(start);
  const time = el("button", "time", clock(start));
  time.type = "button";
  item.append(time, ...content);
  return item;
}

function emptyNote(key) {
  return setText(el("li", "muted empty"), key);
}

function renderChapters(chapters) {
  const items = chapters.map((c) => timedItem("li", c.start, el("span", "", c.title || "")));
  $("chapters").replaceChildren(...(items.length ? items : [emptyNote("noChapters")]));
}

function renderSummaryText(lines) {
  const items = lines.map((line) => {
    const tag = setText(el("span", "tag"), hasString(`source.${line.source}`) ? `source.${line.source}` : line.source || "");
    const item = timedItem("li", line.start, el("span", "text", line.text), tag);
    item.classList.toggle("in-highlight", Boolean(line.in_highlight));
    return item;
  });
  $("summary-text").replaceChildren(...(items.length ? items : [emptyNote("noSummary")]));
}

function renderStoryboard(keyframes) {
  const tiles = keyframes.map((k) => {
    const tile = el("button", "keyframe seek");
    tile.type = "button";
    tile.dataset.start = String(k.time);
    tile.classList.toggle("in-highlight", Boolean(k.in_highlight));
    const image = el("img");
    image.src = fileUrl(page.id, k.image);
    image.alt = k.chapter || clock(k.time);
    image.loading = "lazy";
    tile.append(image, el("span", "time", clock(k.time)), el("span", "chapter", k.chapter || ""));
    return tile;
  });
  $("storyboard").replaceChildren(...tiles);
}

function renderTranscript(lines) {
  const items = lines.map((line) => timedItem("li", line.start, el("span", "text", line.text)));
  $("transcript").replaceChildren(...(items.length ? items : [emptyNote("noTranscript")]));
  $("transcript-search").hidden = items.length === 0;
  $("transcript-search").value = "";
}

function filterTranscript() {
  const needle = $("transcript-search").value.trim().toLowerCase();
  const lines = [...$("transcript").querySelectorAll("li.seek")];
  for (const line of lines) line.hidden = !line.textContent.toLowerCase().includes(needle);
  $("transcript").querySelector(".no-matches")?.remove();
  if (lines.length && lines.every((line) => line.hidden)) $("transcript").append(setText(el("li", "muted no-matches"), "noMatches"));
}

function renderDownloads(outputs) {
  const items = Object.entries(outputs)
    .filter(([, name]) => !name.endsWith("/"))
    .map(([kind, name]) => {
      const link = el("a");
      link.href = fileUrl(page.id, name);
      link.download = name.split("/").pop();
      if (hasString(`output.${kind}`)) link.append(setText(el("span"), `output.${kind}`));
      else link.append(el("span", "", kind));
      link.append(" ", el("code", "", name));
      const item = el("li");
      item.append(link);
      return item;
    });
  $("downloads").replaceChildren(...items);
}

// ---------------------------------------------------------------- wiring

function wireUpload() {
  const zone = $("drop-zone");
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("dragging");
    chooseFiles(e.dataTransfer.files);
  });
  $("file-input").addEventListener("change", showChosenFile);
  $("upload-form").addEventListener("submit", onUpload);
}

function wireResult() {
  $("result").addEventListener("click", (e) => {
    const item = e.target.closest(".seek");
    if (item) playSourceAt(Number(item.dataset.start));
  });
  $("importance-plot").addEventListener("click", onPlotClick);
  for (const name of ["timeupdate", "seeked"]) $("source").addEventListener(name, movePlayhead);
  $("length").addEventListener("input", showLength);
  $("length").addEventListener("change", reselect);
  $("reselect-form").addEventListener("submit", (e) => {
    e.preventDefault();
    reselect();
  });
  $("transcript-search").addEventListener("input", filterTranscript);
}

function init() {
  applyI18n();
  $("lang-switch").addEventListener("click", () => {
    toggleLang();
    if (!$("home-view").hidden) refreshJobs(); // dates follow the language
  });
  wireUpload();
  wireResult();
  addEventListener("hashchange", route);
  route();
}

init();
