// paiban serve: the live page. Server-sent events (/events) carry the state after each build;
// a page whose version changed gets its new preview (/page/N.png?v=V), swapped in when loaded,
// so the last good page stays until the new one is there. No build step, no dependencies.
"use strict";

const $ = (selector) => document.querySelector(selector);
const SVG = "http://www.w3.org/2000/svg";
const paiban = (window.paiban = { loads: [], state: null, zoom: 0.5, overlay: null });

// the page's words in the server's language (index.html's JSON, paiban.serve.server.labels)
const LABELS = JSON.parse($("#labels").textContent);
paiban.labels = LABELS;

function say(key, values = {}) {
  return (LABELS[key] || key).replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
}

document.querySelectorAll("[data-label]").forEach((el) => { el.textContent = say(el.dataset.label); });
document.querySelectorAll("[data-label-title]").forEach((el) => { el.title = say(el.dataset.labelTitle); });
document.querySelectorAll("[data-label-aria]").forEach((el) => el.setAttribute("aria-label", say(el.dataset.labelAria)));

function pageFigure(page) {
  let figure = document.getElementById(`page-${page.number}`);
  if (!figure) {
    figure = document.createElement("figure");
    figure.className = "page";
    figure.id = `page-${page.number}`;
    figure.dataset.number = page.number;
    const name = say("page", { number: page.number });
    figure.innerHTML = `<div class="sheet"><img class="pixels"><svg class="overlay"></svg></div><figcaption></figcaption>`;
    figure.querySelector("img").alt = name;
    figure.querySelector("figcaption").textContent = name;
    const img = figure.querySelector("img");
    img.addEventListener("load", () => {
      paiban.loads.push({ page: page.number, version: Number(img.dataset.version), t: performance.timeOrigin + performance.now() });
    });
    const thumb = document.createElement("a");
    thumb.href = `#page-${page.number}`;
    thumb.id = `thumb-${page.number}`;
    thumb.innerHTML = `<img><span>${page.number}</span>`;
    thumb.querySelector("img").alt = say("page", { number: page.number });
    thumb.addEventListener("click", (event) => { event.preventDefault(); goToPage(page.number); });
    $("#strip").appendChild(thumb);
    $("#pages").appendChild(figure);
  }
  return figure;
}

function sizeSheet(figure, page) {
  const [x0, y0, x1, y1] = page.box;
  const sheet = figure.querySelector(".sheet");
  sheet.style.width = `${(x1 - x0) * paiban.zoom}px`;
  sheet.style.height = `${(y1 - y0) * paiban.zoom}px`;
  figure.querySelector("svg").setAttribute("viewBox", `${x0} ${-y1} ${x1 - x0} ${y1 - y0}`);
}

function apply(state) {
  paiban.state = state;
  $("#title").textContent = state.title || "paiban";
  const error = $("#error");
  error.hidden = !state.error;
  error.textContent = state.error || "";
  const ms = Math.round(state.seconds * 1000);
  $("#status").textContent = state.error ? say("failed") : say("built", { ms });
  $("#overset").textContent = state.overset;
  $("#overset-badge").classList.toggle("bad", state.overset > 0);
  $("#missing").textContent = state.missing;
  $("#missing-badge").classList.toggle("bad", state.missing > 0);
  const wanted = new Set(state.pages.map((p) => `page-${p.number}`));
  document.querySelectorAll("figure.page").forEach((f) => {
    if (!wanted.has(f.id)) { f.remove(); const t = document.getElementById(`thumb-${f.dataset.number}`); if (t) t.remove(); }
  });
  for (const page of state.pages) {
    const figure = pageFigure(page);
    $("#pages").appendChild(figure); // page order
    $("#strip").appendChild(document.getElementById(`thumb-${page.number}`));
    sizeSheet(figure, page);
    const img = figure.querySelector("img.pixels");
    if (img.dataset.version !== String(page.version)) showVersion(page, img);
  }
  report(state);
  if ($("#overlay-toggle").checked) loadOverlay();
}

function showVersion(page, img) {
  // fetched apart and swapped in when ready: the old pixels stay until then
  const url = `/page/${page.number}.png?v=${page.version}`;
  const next = new Image();
  next.onload = () => {
    if (Number(img.dataset.version || 0) > page.version) return;
    img.dataset.version = page.version;
    img.src = url;
  };
  next.src = url;
  const thumb = document.querySelector(`#thumb-${page.number} img`);
  thumb.src = `/thumb/${page.number}.png?v=${page.version}`;
}

function report(state) {
  const body = $("#stories tbody");
  body.innerHTML = "";
  for (const story of state.stories) {
    const row = body.insertRow();
    for (const value of [story.name, story.lines, `${story.placed}/${story.characters}`, story.overset]) {
      row.insertCell().textContent = value;
    }
    if (story.overset > 0) row.cells[3].className = "bad";
  }
  const list = $("#warnings");
  list.innerHTML = "";
  for (const text of state.warnings) {
    const item = document.createElement("li");
    item.textContent = text;
    list.appendChild(item);
  }
  $("#warning-count").textContent = `(${state.warnings.length})`;
  $("#report-text").textContent = state.report;
}

function goToPage(number) {
  const figure = document.getElementById(`page-${number}`);
  if (!figure) return;
  document.querySelectorAll(".current").forEach((el) => el.classList.remove("current"));
  figure.classList.add("current");
  const thumb = document.getElementById(`thumb-${number}`);
  if (thumb) thumb.classList.add("current");
  figure.scrollIntoView({ block: "nearest", inline: "start" });
  history.replaceState(null, "", `#page-${number}`);
}

// ---- proof overlay ---------------------------------------------------------------------------

async function loadOverlay() {
  const generation = paiban.state ? paiban.state.generation : 0;
  const response = await fetch(`/overlay?g=${generation}`, { cache: "no-store" });
  const shapes = await response.json();
  paiban.overlay = shapes;
  drawOverlay();
}

function drawOverlay() {
  const on = $("#overlay-toggle").checked;
  document.querySelectorAll("figure.page").forEach((figure) => {
    const svg = figure.querySelector("svg");
    svg.replaceChildren();
    if (!on || !paiban.overlay) return;
    for (const shape of paiban.overlay[figure.dataset.number] || []) svg.appendChild(drawShape(shape));
  });
}

function element(name, attributes) {
  const el = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, value);
  return el;
}

function drawShape(shape) {
  const { kind, x0, y0, x1, y1, label, tone } = shape;
  const box = { x: x0, y: -y1, width: Math.max(x1 - x0, 0.5), height: Math.max(y1 - y0, 0.5) };
  if (kind === "grid-line") return element("line", { x1: x0, y1: -y0, x2: x1, y2: -y0, class: "grid-line" });
  if (kind === "grid-column" || kind === "gutter") return element("rect", { ...box, class: kind });
  const group = element("g", { class: `shape kind-${kind}` });
  if (kind === "jump-link") {
    const link = element("rect", { ...box, class: "link", "data-target": shape.target_page });
    const title = element("title", {});
    title.textContent = say("jump", { label, number: shape.target_page });
    link.appendChild(title);
    link.addEventListener("click", () => goToPage(shape.target_page));
    group.appendChild(link);
    return group;
  }
  const rect = element("rect", { ...box, class: `tone-${tone}` });
  if (kind === "low-resolution") rect.setAttribute("stroke-dasharray", "6 3");
  group.appendChild(rect);
  if (label && (kind === "region" || kind === "overset" || kind === "low-resolution")) {
    const text = element("text", { x: x0 + 2, y: -y1 + 13, class: "label" });
    text.textContent = label;
    text.setAttribute("fill", { ok: "#1a7f37", warn: "#9a6700", error: "#cf222e", info: "#0969da" }[tone] || "#333");
    group.appendChild(text);
  } else if (label) {
    const title = element("title", {});
    title.textContent = label;
    rect.appendChild(title);
  }
  return group;
}

// ---- zoom ------------------------------------------------------------------------------------

function setZoom(zoom) {
  paiban.zoom = Math.min(4, Math.max(0.1, zoom));
  $("#zoom-level").textContent = `${Math.round(paiban.zoom * 100)}%`;
  if (!paiban.state) return;
  for (const page of paiban.state.pages) {
    const figure = document.getElementById(`page-${page.number}`);
    if (figure) sizeSheet(figure, page);
  }
}

function fitZoom() {
  const pages = paiban.state ? paiban.state.pages : [];
  if (!pages.length) return;
  const [, y0, , y1] = pages[0].box;
  setZoom(($("#pages").clientHeight - 80) / (y1 - y0));
}

$("#zoom-in").addEventListener("click", () => setZoom(paiban.zoom * 1.25));
$("#zoom-out").addEventListener("click", () => setZoom(paiban.zoom / 1.25));
$("#zoom-fit").addEventListener("click", fitZoom);
$("#overlay-toggle").addEventListener("change", () => ($("#overlay-toggle").checked ? loadOverlay() : drawOverlay()));

// ---- the events ------------------------------------------------------------------------------

let fitted = false;
const events = new EventSource("/events");
events.addEventListener("update", (event) => {
  paiban.received = performance.timeOrigin + performance.now();
  apply(JSON.parse(event.data));
  if (!fitted) { fitted = true; fitZoom(); }
  if (location.hash && !document.querySelector(".current")) goToPage(Number(location.hash.replace("#page-", "")));
});
events.addEventListener("open", () => { $("#status").textContent = say("connected"); });
events.addEventListener("error", () => { $("#status").textContent = say("retrying"); });
