// mlplab playground: the page. Training runs in the server; this script sends
// the configuration, asks for play/pause/step/reset, and draws the frames the
// server streams (see docs/playground.md for the protocol and the element ids).
"use strict";

(() => {
  const TOKEN = new URLSearchParams(location.search).get("token") || "";
  const $ = (id) => document.getElementById(id);
  const SVG_NS = "http://www.w3.org/2000/svg";

  // The keys of a page configuration, in the order the URL hash lists them.
  const CONFIG_KEYS = [
    "dataset", "upload", "feature_columns", "label_column",
    "samples", "noise", "test_ratio", "data_seed",
    "features", "hidden", "output_activation", "loss",
    "optimizer", "lr", "batch_size", "regularization", "reg_rate",
    "seed", "baseline",
  ];
  const NUMBER_KEYS = new Set([
    "samples", "noise", "test_ratio", "data_seed", "lr", "batch_size", "reg_rate", "seed",
  ]);
  const LIST_KEYS = new Set(["features", "feature_columns"]);
  const FALLBACK_DEFAULTS = {
    dataset: "xor", upload: null, feature_columns: null, label_column: null,
    samples: 500, noise: 0.1, test_ratio: 0.5, data_seed: 0,
    features: ["x1", "x2"],
    hidden: [{ units: 4, activation: "tanh", dropout: 0 }],
    output_activation: null, loss: null,
    optimizer: "sgd", lr: 0.03, batch_size: 10,
    regularization: "none", reg_rate: 0, seed: 0, baseline: false,
  };
  const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
  const BATCH_SIZES = [1, 2, 4, 8, 10, 16, 32, 64, 128, 256];
  const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
  const DROPOUTS = [0, 0.1, 0.2, 0.3, 0.5];
  const MAX_EXPLAIN = 8;

  // Colours: binary classes orange (0) / blue (1) as in TensorFlow Playground;
  // more classes from the Okabe-Ito palette, then Tableau 10.
  const ORANGE = [245, 147, 34];
  const BLUE = [8, 119, 189];
  const LIGHT = [232, 234, 235];
  const WHITE = [255, 255, 255];
  const PALETTE = [
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
    "#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1",
    "#FF9DA7", "#9C755F", "#BAB0AC",
  ].map(hexToRgb);

  const S = {
    options: null,
    defaults: FALLBACK_DEFAULTS,
    config: null,
    session: null,
    info: null,
    frame: null,
    drawPending: false,
    dirty: false,
    debounce: null,
    inflight: 0,
    configInflight: 0,
    configSeq: 0,
    queue: Promise.resolve(),
    selected: new Set(),
    upload: null,
    savedTestRatio: null,
    modalUnit: null,
    net: null,
    events: null,
  };

  // ---------------------------------------------------------------- helpers

  function hexToRgb(hex) {
    const n = parseInt(hex.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }

  function mix(a, b, t) {
    return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
  }

  function css(rgb) {
    return `rgb(${Math.round(rgb[0])},${Math.round(rgb[1])},${Math.round(rgb[2])})`;
  }

  function clamp(v, lo, hi) {
    return Math.min(hi, Math.max(lo, v));
  }

  function isNum(v) {
    return typeof v === "number" && Number.isFinite(v);
  }

  function fmt(v) {
    return isNum(v) ? Number(v).toPrecision(4) : "";
  }

  function copy(v) {
    return JSON.parse(JSON.stringify(v));
  }

  function decode(b64) {
    if (typeof b64 !== "string") return null;
    let s;
    try {
      s = atob(b64);
    } catch (e) {
      return null;
    }
    const a = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i);
    return a;
  }

  function pretty(name) {
    const s = String(name);
    const m = /^sin\((.*)\)$/.exec(s);
    if (m) return "sin " + pretty(m[1]);
    return s
      .replace(/\bx1\b/g, "x₁")
      .replace(/\bx2\b/g, "x₂")
      .replace(/\^2\b/g, "²")
      .replace(/\^3\b/g, "³")
      .replace(/\*/g, "");
  }

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k === "dataset") Object.assign(e.dataset, v);
      else e.setAttribute(k, v);
    }
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function fillSelect(select, items) {
    // items: [value, label] pairs, or [label, [[value, label], ...]] groups.
    select.textContent = "";
    for (const [a, b] of items) {
      if (Array.isArray(b)) {
        const group = el("optgroup", { label: a });
        for (const [v, l] of b) group.appendChild(el("option", { value: v }, l));
        select.appendChild(group);
      } else {
        select.appendChild(el("option", { value: a }, b));
      }
    }
  }

  function setSelect(select, value, label) {
    const v = String(value);
    if (![...select.options].some((o) => o.value === v)) {
      select.appendChild(el("option", { value: v }, label === undefined ? v : label));
    }
    select.value = v;
  }

  function dpr() {
    return Math.max(1, Math.min(3, window.devicePixelRatio || 1));
  }

  // ---------------------------------------------------------------- errors and requests

  function showError(err) {
    const msg = err && err.message ? err.message : String(err);
    $("error").textContent = msg;
  }

  function clearError() {
    $("error").textContent = "";
  }

  async function api(method, path, body, raw) {
    const headers = { "X-Mlplab-Token": TOKEN };
    let payload;
    if (raw !== undefined) {
      payload = raw;
      headers["Content-Type"] = "application/octet-stream";
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers["Content-Type"] = "application/json";
    }
    let resp;
    try {
      resp = await fetch(path, { method, headers, body: payload });
    } catch (e) {
      throw new Error(`cannot reach the playground server (${method} ${path})`);
    }
    const text = await resp.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch (e) {
      data = null;
    }
    if (!resp.ok) {
      const msg = data && data.error ? data.error : `${method} ${path} failed: HTTP ${resp.status}`;
      throw new Error(msg);
    }
    return data;
  }

  // Runs an action; its failure goes to #error, its success clears #error.
  function run(fn) {
    return Promise.resolve()
      .then(fn)
      .then(
        (v) => {
          clearError();
          return v;
        },
        (err) => {
          showError(err);
          return undefined;
        },
      );
  }

  // Session requests run one after the other, in the order they were asked.
  function enqueue(fn) {
    S.inflight += 1;
    S.queue = S.queue
      .then(() => run(fn))
      .finally(() => {
        S.inflight -= 1;
      });
    return S.queue;
  }

  function sessionPath(what) {
    return `/api/sessions/${encodeURIComponent(S.session)}/${what}`;
  }

  // ---------------------------------------------------------------- configuration

  function datasetTask(name) {
    if (name === "upload") return null;
    const opts = (S.options && S.options.datasets) || [];
    const d = opts.find((x) => (typeof x === "string" ? x : x.name) === name);
    return d && typeof d === "object" ? d.task || null : null;
  }

  function isGate(cfg) {
    return datasetTask(cfg.dataset) === "gate";
  }

  function normalize(cfg) {
    const c = Object.assign({}, S.defaults, cfg);
    if (!Array.isArray(c.features)) c.features = copy(S.defaults.features || ["x1", "x2"]);
    if (!Array.isArray(c.hidden)) c.hidden = [];
    // clamped to the server's limits, so that a hand-edited link cannot
    // ask the page to draw thousands of units
    c.hidden = c.hidden.slice(0, limit("max_layers", 6)).map((h) => ({
      units: Number.isInteger(Number(h && h.units))
        ? clamp(Number(h.units), 1, limit("max_units", 64))
        : 4,
      activation: (h && h.activation) || defaultActivation(),
      dropout: isNum(Number(h && h.dropout)) ? Number(h.dropout) : 0,
    }));
    if (isGate(c)) c.test_ratio = 0;
    c.baseline = Boolean(c.baseline);
    return c;
  }

  function defaultActivation() {
    const h = S.defaults && S.defaults.hidden;
    return (Array.isArray(h) && h[0] && h[0].activation) || "tanh";
  }

  function encodeValue(key, v) {
    if (v === null || v === undefined) return "null";
    if (key === "hidden") {
      return v.map((h) => `${h.units}:${encodeURIComponent(h.activation)}:${h.dropout}`).join(",");
    }
    if (Array.isArray(v)) return v.map((x) => encodeURIComponent(String(x))).join(",");
    return encodeURIComponent(String(v));
  }

  function encodeHash(cfg) {
    const keys = CONFIG_KEYS.concat(Object.keys(cfg).filter((k) => !CONFIG_KEYS.includes(k)));
    return keys
      .filter((k) => k in cfg && (cfg[k] === null || typeof cfg[k] !== "object" || Array.isArray(cfg[k])))
      .map((k) => `${k}=${encodeValue(k, cfg[k])}`)
      .join("&");
  }

  function decodeValue(key, raw) {
    if (raw === "null") return null;
    if (key === "hidden") {
      if (raw === "") return [];
      return raw.split(",").map((part) => {
        const [u, a, d] = part.split(":");
        return {
          units: parseInt(u, 10),
          activation: a ? decodeURIComponent(a) : defaultActivation(),
          dropout: d ? parseFloat(d) : 0,
        };
      });
    }
    if (LIST_KEYS.has(key)) return raw === "" ? [] : raw.split(",").map(decodeURIComponent);
    const s = decodeURIComponent(raw);
    if (NUMBER_KEYS.has(key)) {
      const n = Number(s);
      return s !== "" && Number.isFinite(n) ? n : undefined;
    }
    if (key === "baseline") return s === "true" || s === "1";
    return s;
  }

  function decodeHash(hash) {
    const out = {};
    const text = hash.replace(/^#/, "");
    if (!text) return out;
    for (const pair of text.split("&")) {
      const i = pair.indexOf("=");
      if (i <= 0) continue;
      const key = pair.slice(0, i);
      if (!CONFIG_KEYS.includes(key) && !(key in (S.defaults || {}))) continue;
      let v;
      try {
        v = decodeValue(key, pair.slice(i + 1));
      } catch (e) {
        v = undefined;
      }
      if (v !== undefined) out[key] = v;
    }
    return out;
  }

  function writeHash() {
    const h = "#" + encodeHash(S.config);
    if (location.hash !== h) history.replaceState(null, "", location.pathname + location.search + h);
  }

  // A control changed the configuration: send it (debounced) and keep the hash.
  function configChanged(immediate) {
    S.config = normalize(S.config);
    S.dirty = true;
    writeHash();
    syncControls();
    renderNetwork();
    clearTimeout(S.debounce);
    S.debounce = null;
    if (immediate) flushConfig();
    else S.debounce = setTimeout(flushConfig, 150);
  }

  function flushConfig() {
    clearTimeout(S.debounce);
    S.debounce = null;
    if (!S.dirty || !S.session) return;
    S.dirty = false;
    const seq = ++S.configSeq;
    S.configInflight += 1;
    enqueue(async () => {
      try {
        const info = await api("POST", sessionPath("config"), copy(S.config));
        S.configInflight -= 1;
        adoptInfo(info, seq === S.configSeq && !S.dirty);
      } catch (e) {
        S.configInflight -= 1;
        renderNetwork();
        throw e;
      }
    });
  }

  function adoptInfo(info, syncConfig) {
    if (!info || typeof info !== "object") return;
    S.info = info;
    S.selected.clear();
    if (syncConfig && info.config && typeof info.config === "object") {
      S.config = normalize(Object.assign({}, S.config, info.config));
      writeHash();
    }
    syncControls();
    updateTaskControls();
    renderNetwork();
    updateSelectionInfo();
    scheduleDraw();
  }

  // ---------------------------------------------------------------- controls

  function lossesFor(task) {
    const L = S.options && S.options.losses;
    if (Array.isArray(L)) return L;
    if (!L || typeof L !== "object") return [];
    if (task && Array.isArray(L[task])) return L[task];
    const alias = { binary: "classification", multiclass: "classification", gate: "classification" };
    if (task && alias[task] && Array.isArray(L[alias[task]])) return L[alias[task]];
    if (task === "gate" && Array.isArray(L.binary)) return L.binary;
    return [...new Set(Object.values(L).flat())];
  }

  function outputActivationsFor(task) {
    const A = S.options && S.options.output_activations;
    if (Array.isArray(A)) return A;
    if (A && typeof A === "object") {
      if (task && Array.isArray(A[task])) return A[task];
      return [...new Set(Object.values(A).flat())];
    }
    return [];
  }

  function currentTask() {
    const t = datasetTask(S.config.dataset);
    if (t) return t;
    return S.info ? S.info.task : null;
  }

  function updateTaskControls() {
    const task = currentTask();
    const losses = lossesFor(task);
    fillSelect($("loss"), [["", "auto"]].concat(losses.map((l) => [l, l])));
    if (S.config.loss) setSelect($("loss"), S.config.loss);
    else $("loss").value = "";
    const acts = outputActivationsFor(task);
    fillSelect($("output-activation"), [["", "auto"]].concat(acts.map((a) => [a, a])));
    if (S.config.output_activation) setSelect($("output-activation"), S.config.output_activation);
    else $("output-activation").value = "";
    const words = {
      classification: "classification", gate: "logic gate: 4 points, all for training",
      regression: "regression", binary: "two classes", multiclass: "classes",
    };
    let hint = words[task] || "";
    if (S.info && Array.isArray(S.info.classes) && S.info.classes.length > 2) {
      hint = `${S.info.classes.length} classes`;
    }
    if (S.info && S.info.train && Array.isArray(S.info.train.y)) {
      const nte = S.info.test && Array.isArray(S.info.test.y) ? S.info.test.y.length : 0;
      hint += `${hint ? " · " : ""}${S.info.train.y.length} training, ${nte} test points`;
    }
    $("dataset-task").textContent = hint;
  }

  function buildControls() {
    const o = S.options || {};
    // data sets, grouped by task
    const groups = { classification: [], regression: [], gate: [], other: [] };
    for (const d of o.datasets || []) {
      const name = typeof d === "string" ? d : d.name;
      const task = typeof d === "string" ? "other" : d.task;
      const label = task === "gate" ? `${name.replace(/^gate:/, "").toUpperCase()} gate` : name;
      (groups[task] || groups.other).push([name, label]);
    }
    const titles = {
      classification: "Classification", regression: "Regression", gate: "Logic gates", other: "Other",
    };
    fillSelect(
      $("dataset"),
      Object.entries(groups).filter(([, v]) => v.length).map(([k, v]) => [titles[k], v]),
    );
    fillSelect($("optimizer"), (o.optimizers || ["sgd", "momentum", "adam"]).map((x) => [x, x]));
    fillSelect($("lr"), LEARNING_RATES.map((x) => [String(x), String(x)]));
    fillSelect(
      $("batch-size"),
      [["full", "full batch"]]
        .concat(BATCH_SIZES.map((x) => [String(x), String(x)]))
        .concat([["other", "other…"]])
    );
    fillSelect($("reg-rate"), REG_RATES.map((x) => [String(x), String(x)]));
    const limits = o.limits || {};
    $("samples").max = String(limits.max_samples || 1000);
    $("samples").min = "10";
    buildFeatures();
  }

  function buildFeatures() {
    const box = $("features");
    box.textContent = "";
    const feats = (S.options && S.options.features) || FALLBACK_DEFAULTS.features;
    feats.forEach((f, i) => {
      const b = el("button", {
        type: "button", class: "feature", id: `feature-${i}`,
        dataset: { feature: f }, "aria-pressed": "false", title: `feature ${f}`,
      });
      const c = el("canvas", { width: "32", height: "32", class: "feature-preview" });
      b.appendChild(c);
      b.appendChild(el("span", { class: "feature-name" }, pretty(f)));
      b.addEventListener("click", () => toggleFeature(f));
      box.appendChild(b);
    });
    drawFeaturePreviews();
  }

  function drawFeaturePreviews() {
    const bounds = (S.info && S.info.bounds) || [-6, 6, -6, 6];
    for (const b of document.querySelectorAll("#features .feature")) {
      drawFeature(b.querySelector("canvas"), b.dataset.feature, bounds);
    }
  }

  function toggleFeature(f) {
    const feats = S.config.features.slice();
    const i = feats.indexOf(f);
    if (i >= 0) {
      if (feats.length === 1) {
        showError("at least one input feature is needed");
        return;
      }
      feats.splice(i, 1);
    } else {
      const order = (S.options && S.options.features) || [];
      feats.push(f);
      feats.sort((a, b) => order.indexOf(a) - order.indexOf(b));
    }
    S.config.features = feats;
    configChanged();
  }

  function syncControls() {
    const c = S.config;
    if (!c) return;
    if (c.dataset === "upload") ensureUploadOption();
    setSelect($("dataset"), c.dataset);
    setSelect($("optimizer"), c.optimizer);
    setSelect($("lr"), c.lr);
    setSelect($("batch-size"), c.batch_size === null ? "full" : c.batch_size);
    $("regularization").value = c.regularization || "none";
    setSelect($("reg-rate"), c.reg_rate);
    $("reg-rate").disabled = (c.regularization || "none") === "none";
    const gate = isGate(c);
    const upload = c.dataset === "upload";
    $("samples").value = String(c.samples);
    $("samples-value").textContent = gate ? "4" : String(c.samples);
    $("noise").value = String(c.noise);
    $("noise-value").textContent = String(c.noise);
    const train = Math.round((1 - c.test_ratio) * 100);
    $("test-ratio").value = String(train);
    $("test-ratio-value").textContent = `${train} : ${100 - train}`;
    $("samples").disabled = gate || upload;
    $("noise").disabled = gate || upload;
    $("test-ratio").disabled = gate;
    $("regenerate").disabled = gate;
    $("baseline").checked = Boolean(c.baseline);
    for (const b of document.querySelectorAll("#features .feature")) {
      const on = c.features.includes(b.dataset.feature);
      b.classList.toggle("active", on);
      b.setAttribute("aria-pressed", String(on));
    }
    if (S.config.loss) setSelect($("loss"), S.config.loss);
    else $("loss").value = "";
    if (S.config.output_activation) setSelect($("output-activation"), S.config.output_activation);
    else $("output-activation").value = "";
    const maxLayers = limit("max_layers", 6);
    $("layer-count").textContent = String(c.hidden.length);
    $("layer-word").textContent = c.hidden.length === 1 ? "layer" : "layers";
    $("add-layer").disabled = c.hidden.length >= maxLayers;
    $("remove-layer").disabled = c.hidden.length === 0;
    syncUploadColumns();
  }

  function limit(name, fallback) {
    const l = S.options && S.options.limits;
    return l && isNum(l[name]) ? l[name] : fallback;
  }

  function ensureUploadOption() {
    const sel = $("dataset");
    const name = (S.upload && S.upload.name) || "uploaded CSV";
    let opt = [...sel.options].find((o) => o.value === "upload");
    if (!opt) {
      const group = el("optgroup", { label: "Uploaded" });
      opt = el("option", { value: "upload" });
      group.appendChild(opt);
      sel.appendChild(group);
    }
    opt.textContent = `uploaded: ${name}`;
  }

  function syncUploadColumns() {
    const c = S.config;
    const box = $("upload-columns");
    if (c.dataset !== "upload") {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    const cols = (S.upload && S.upload.columns) ||
      [...(c.feature_columns || []), c.label_column].filter((x) => x !== null && x !== undefined);
    const items = cols.map((x) => [String(x), String(x)]);
    for (const id of ["feature-column-1", "feature-column-2", "label-column"]) {
      const sel = $(id);
      if (sel.options.length !== items.length || [...sel.options].some((o, i) => o.value !== items[i][0])) {
        fillSelect(sel, items);
      }
    }
    const fc = c.feature_columns || [];
    if (fc[0] !== undefined) setSelect($("feature-column-1"), fc[0]);
    if (fc[1] !== undefined) setSelect($("feature-column-2"), fc[1]);
    if (c.label_column !== null && c.label_column !== undefined) setSelect($("label-column"), c.label_column);
    $("upload-name").textContent = S.upload
      ? `${S.upload.name}: ${S.upload.rows} rows, ${cols.length} columns`
      : "";
  }

  function onDatasetChange() {
    const name = $("dataset").value;
    const before = isGate(S.config);
    if (name === "upload" && !S.config.upload && !S.upload) return;
    S.config.dataset = name;
    if (name === "upload" && S.upload) S.config.upload = S.upload.upload;
    const after = isGate(S.config);
    if (!before && after && S.config.test_ratio > 0) S.savedTestRatio = S.config.test_ratio;
    if (before && !after && S.config.test_ratio === 0) {
      S.config.test_ratio = S.savedTestRatio || S.defaults.test_ratio || 0.5;
    }
    const task = currentTask();
    if (S.config.loss && !lossesFor(task).includes(S.config.loss)) S.config.loss = null;
    if (S.config.output_activation && !outputActivationsFor(task).includes(S.config.output_activation)) {
      S.config.output_activation = null;
    }
    updateTaskControls();
    configChanged(true);
  }

  function randomSeed() {
    return Math.floor(Math.random() * 1000000);
  }

  function bindControls() {
    $("dataset").addEventListener("change", onDatasetChange);
    const number = (id, key, conv) => {
      const handler = () => {
        const v = conv($(id).value);
        if (v === undefined || S.config[key] === v) return;
        S.config[key] = v;
        configChanged();
      };
      $(id).addEventListener("input", handler);
      $(id).addEventListener("change", handler);
    };
    number("samples", "samples", (v) => parseInt(v, 10));
    number("noise", "noise", (v) => parseFloat(v));
    number("test-ratio", "test_ratio", (v) => Math.round(100 - parseFloat(v)) / 100);
    number("lr", "lr", (v) => parseFloat(v));
    number("reg-rate", "reg_rate", (v) => parseFloat(v));
    number("batch-size", "batch_size", (v) => {
      if (v === "full") return null;
      if (v !== "other") return parseInt(v, 10);
      // any k: asked for, then kept as an option of its own
      const current = S.config.batch_size;
      const k = parseInt(window.prompt("Batch size (1 for stochastic)", "20") || "", 10);
      if (Number.isInteger(k) && k >= 1) {
        setSelect($("batch-size"), k);
        return k;
      }
      setSelect($("batch-size"), current === null ? "full" : current);
      return undefined;
    });
    number("optimizer", "optimizer", (v) => v);
    number("regularization", "regularization", (v) => v);
    number("output-activation", "output_activation", (v) => v || null);
    number("loss", "loss", (v) => v || null);
    $("baseline").addEventListener("change", () => {
      S.config.baseline = $("baseline").checked;
      configChanged(true);
    });
    const columns = () => {
      S.config.feature_columns = [$("feature-column-1").value, $("feature-column-2").value];
      S.config.label_column = $("label-column").value;
      configChanged(true);
    };
    for (const id of ["feature-column-1", "feature-column-2", "label-column"]) {
      $(id).addEventListener("change", columns);
    }
    $("regenerate").addEventListener("click", () => {
      S.config.data_seed = randomSeed();
      configChanged(true);
    });
    $("new-seed").addEventListener("click", () => {
      S.config.seed = randomSeed();
      configChanged(true);
    });
    $("add-layer").addEventListener("click", () => {
      if (S.config.hidden.length >= limit("max_layers", 6)) return;
      const last = S.config.hidden[S.config.hidden.length - 1];
      S.config.hidden.push({
        units: last ? Math.min(last.units, 8) : 2,
        activation: last ? last.activation : defaultActivation(),
        dropout: 0,
      });
      configChanged();
    });
    $("remove-layer").addEventListener("click", () => {
      if (!S.config.hidden.length) return;
      S.config.hidden.pop();
      configChanged();
    });
    for (const [id, what] of [["play", "play"], ["pause", "pause"], ["step", "step"], ["reset", "reset"]]) {
      $(id).addEventListener("click", () => action(what));
    }
    $("upload").addEventListener("change", onUpload);
    $("explain").addEventListener("click", explain);
    $("explain-close").addEventListener("click", () => {
      $("explain-output").hidden = true;
    });
    $("clear-selection").addEventListener("click", () => {
      S.selected.clear();
      updateSelectionInfo();
      scheduleDraw();
    });
    $("show-test").addEventListener("change", scheduleDraw);
    $("discretize").addEventListener("change", scheduleDraw);
    $("heatmap").addEventListener("click", onHeatmapClick);
    $("unit-close").addEventListener("click", closeModal);
    $("unit-modal").addEventListener("click", (ev) => {
      if (ev.target === $("unit-modal")) closeModal();
    });
    document.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape") {
        closeModal();
        $("tooltip").hidden = true;
      }
    });
    for (const a of document.querySelectorAll(".export a")) {
      a.addEventListener("click", (ev) => {
        if (!S.session) {
          ev.preventDefault();
          return;
        }
        if (S.dirty || S.debounce || S.inflight) {
          // export what the page shows: send the pending configuration first
          ev.preventDefault();
          flushConfig();
          S.queue.then(() => a.click());
        }
      });
    }
    let resizeTimer = null;
    const relayout = () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => renderNetwork(), 60);
    };
    window.addEventListener("resize", relayout);
    if (typeof ResizeObserver === "function") new ResizeObserver(relayout).observe($("network-scroll"));
    window.addEventListener("hashchange", () => {
      const fromHash = decodeHash(location.hash);
      if (!Object.keys(fromHash).length) return;
      S.config = normalize(Object.assign({}, S.config, fromHash));
      updateTaskControls();
      configChanged(true);
    });
    window.addEventListener("pagehide", () => {
      if (S.events) S.events.close();
      if (!S.session) return;
      try {
        fetch(sessionPath(""), {
          method: "DELETE", keepalive: true, headers: { "X-Mlplab-Token": TOKEN },
        }).catch(() => undefined);
      } catch (e) {
        // the page is going away; nothing to report
      }
    });
  }

  function action(what) {
    if (!S.session) return;
    flushConfig();
    enqueue(() => api("POST", sessionPath(what)));
  }

  function onUpload() {
    const input = $("upload");
    const file = input.files && input.files[0];
    if (!file) return;
    const max = limit("max_upload_bytes", Infinity);
    if (file.size > max) {
      showError(`${file.name} has ${file.size} bytes; the largest upload is ${max} bytes`);
      input.value = "";
      return;
    }
    run(async () => {
      const bytes = await file.arrayBuffer();
      const ans = await api("POST", `/api/upload?name=${encodeURIComponent(file.name)}`, undefined, bytes);
      if (!ans || !Array.isArray(ans.columns) || ans.columns.length < 2) {
        throw new Error(`${file.name}: a CSV file with at least two columns is needed`);
      }
      S.upload = ans;
      const cols = ans.columns;
      S.config.dataset = "upload";
      S.config.upload = ans.upload;
      S.config.feature_columns = cols.length >= 3 ? [cols[0], cols[1]] : [cols[0], cols[0]];
      S.config.label_column = cols[cols.length - 1];
      S.config.loss = null;
      S.config.output_activation = null;
      ensureUploadOption();
      configChanged(true);
    }).finally(() => {
      input.value = "";
    });
  }

  // ---------------------------------------------------------------- explain and selection

  function explain() {
    if (!S.session) return;
    const n = S.info && S.info.train && Array.isArray(S.info.train.y) ? S.info.train.y.length : 0;
    const indices = S.selected.size
      ? [...S.selected].sort((a, b) => a - b)
      : Array.from({ length: Math.min(4, n) }, (_, i) => i);
    flushConfig();
    enqueue(async () => {
      const ans = await api("POST", sessionPath("explain"), { indices });
      $("explain-content").innerHTML = (ans && ans.html) || "";
      $("explain-output").hidden = false;
      $("explain-output").scrollIntoView({ behavior: "smooth", block: "start" });
    });
  }

  function updateSelectionInfo() {
    const k = S.selected.size;
    $("selection-info").textContent = k
      ? `on ${k} selected point${k === 1 ? "" : "s"}`
      : "on the first 4 training points (click points to choose up to 8)";
    $("clear-selection").hidden = k === 0;
  }

  function onHeatmapClick(ev) {
    const info = S.info;
    if (!info || !info.train || !Array.isArray(info.train.x)) return;
    const canvas = $("heatmap");
    const r = canvas.getBoundingClientRect();
    const px = ev.clientX - r.left;
    const py = ev.clientY - r.top;
    const map = planeMap(info.bounds, r.width, r.height);
    let best = -1;
    let bestD = 12 * 12;
    info.train.x.forEach((p, i) => {
      const dx = map.x(p[0]) - px;
      const dy = map.y(p[1]) - py;
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    });
    if (best < 0) return;
    if (S.selected.has(best)) S.selected.delete(best);
    else if (S.selected.size >= MAX_EXPLAIN) {
      showError(`at most ${MAX_EXPLAIN} points can be explained at once`);
      return;
    } else S.selected.add(best);
    updateSelectionInfo();
    scheduleDraw();
  }

  // ---------------------------------------------------------------- session and events

  function openEvents() {
    if (S.events) S.events.close();
    const url = `${sessionPath("events")}?token=${encodeURIComponent(TOKEN)}`;
    const es = new EventSource(url);
    S.events = es;
    es.addEventListener("frame", (ev) => {
      let f;
      try {
        f = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      if (f && typeof f === "object") {
        S.frame = f;
        scheduleDraw();
      }
    });
    es.addEventListener("error", () => {
      if (es.readyState === EventSource.CLOSED) {
        showError("the connection to the playground server is closed; reload the page");
      }
    });
  }

  function setExportLinks() {
    const names = { toml: "config.toml", command: "mlplab-command.sh", python: "mlplab_run.py", model: "model.npz" };
    for (const [kind, file] of Object.entries(names)) {
      const a = $(`export-${kind}`);
      a.href = `${sessionPath(`export/${kind}`)}?token=${encodeURIComponent(TOKEN)}`;
      a.setAttribute("download", file);
    }
  }

  async function start() {
    bindControls();
    updateSelectionInfo();
    const ok = await run(async () => {
      S.options = await api("GET", "/api/options");
      return true;
    });
    if (!ok) {
      S.config = normalize({});
      buildControls();
      syncControls();
      renderNetwork(true);
      return;
    }
    if (S.options.defaults && typeof S.options.defaults === "object") {
      S.defaults = Object.assign({}, FALLBACK_DEFAULTS, S.options.defaults);
    }
    buildControls();
    const fromHash = decodeHash(location.hash);
    S.config = normalize(fromHash);
    syncControls();
    updateTaskControls();
    renderNetwork(true);
    let info = null;
    let hashError = null;
    try {
      info = await api("POST", "/api/sessions", copy(S.config));
    } catch (e) {
      hashError = e;
    }
    if (!info && Object.keys(fromHash).length) {
      // the link's configuration was refused: start from the defaults instead
      S.config = normalize({});
      try {
        info = await api("POST", "/api/sessions", copy(S.config));
      } catch (e) {
        hashError = e;
      }
    }
    if (!info || !info.session) {
      showError(hashError || "the server did not start a session");
      return;
    }
    if (hashError) showError(hashError);
    else clearError();
    S.session = info.session;
    setExportLinks();
    adoptInfo(info, true);
    drawFeaturePreviews();
    openEvents();
  }

  // ---------------------------------------------------------------- colours and images

  const LUT = {};

  function lut(kind) {
    if (LUT[kind]) return LUT[kind];
    const t = new Uint8ClampedArray(256 * 3);
    for (let v = 0; v < 256; v++) {
      let c;
      const x = v / 255;
      if (kind === "binary" || kind === "unit") {
        c = x < 0.5 ? mix(ORANGE, LIGHT, x / 0.5) : mix(LIGHT, BLUE, (x - 0.5) / 0.5);
        if (kind === "binary") c = mix(c, WHITE, 0.4);
      } else if (kind === "binary-d") {
        c = mix(v >= 128 ? BLUE : ORANGE, WHITE, 0.5);
      } else if (kind === "regression") {
        c = x < 0.5 ? mix(ORANGE, LIGHT, x / 0.5) : mix(LIGHT, BLUE, (x - 0.5) / 0.5);
        c = mix(c, WHITE, 0.3);
      } else if (kind === "regression-d") {
        const q = (Math.min(9, Math.floor(x * 10)) + 0.5) / 10;
        c = q < 0.5 ? mix(ORANGE, LIGHT, q / 0.5) : mix(LIGHT, BLUE, (q - 0.5) / 0.5);
        c = mix(c, WHITE, 0.3);
      }
      t[3 * v] = c[0];
      t[3 * v + 1] = c[1];
      t[3 * v + 2] = c[2];
    }
    LUT[kind] = t;
    return t;
  }

  function taskKind(info) {
    if (!info) return "binary";
    if (info.task === "regression" || Array.isArray(info.target_range)) return "regression";
    if (Array.isArray(info.classes) && info.classes.length > 2) return "multiclass";
    if (info.task === "multiclass") return "multiclass";
    return "binary";
  }

  function classColor(code, k) {
    if (k <= 2) return code === 1 ? BLUE : ORANGE;
    return PALETTE[((code % PALETTE.length) + PALETTE.length) % PALETTE.length];
  }

  function pointColor(info, y) {
    const kind = taskKind(info);
    if (kind === "regression") {
      const [lo, hi] = Array.isArray(info.target_range) ? info.target_range : [0, 1];
      const v = clamp(Math.round((255 * (y - lo)) / (hi - lo || 1)), 0, 255);
      const t = lut("unit");
      return [t[3 * v], t[3 * v + 1], t[3 * v + 2]];
    }
    const k = Array.isArray(info.classes) ? info.classes.length : 2;
    return classColor(y, k);
  }

  // Fills an RGBA buffer from the heatmap bytes of a frame (or the baseline's).
  function heatPixels(info, bytes, conf, discrete, out) {
    const kind = taskKind(info);
    const n = bytes.length;
    if (kind === "multiclass") {
      const k = Array.isArray(info.classes) ? info.classes.length : 3;
      const floor = 1 / k;
      for (let i = 0; i < n; i++) {
        const c = classColor(bytes[i], k);
        let a = 1;
        if (!discrete && conf && conf.length === n) a = clamp((conf[i] / 255 - floor) / (1 - floor), 0, 1);
        const strength = discrete ? 0.6 : 0.15 + 0.6 * a;
        out[4 * i] = 255 + (c[0] - 255) * strength;
        out[4 * i + 1] = 255 + (c[1] - 255) * strength;
        out[4 * i + 2] = 255 + (c[2] - 255) * strength;
        out[4 * i + 3] = 255;
      }
      return;
    }
    const t = lut(kind === "regression" ? (discrete ? "regression-d" : "regression") : discrete ? "binary-d" : "binary");
    for (let i = 0; i < n; i++) {
      const v = bytes[i];
      out[4 * i] = t[3 * v];
      out[4 * i + 1] = t[3 * v + 1];
      out[4 * i + 2] = t[3 * v + 2];
      out[4 * i + 3] = 255;
    }
  }

  const scratch = document.createElement("canvas");

  // Draws a size x size RGBA image scaled onto the whole of a canvas context.
  function blit(ctx, rgba, size, w, h, smooth) {
    if (scratch.width !== size || scratch.height !== size) {
      scratch.width = size;
      scratch.height = size;
    }
    const sctx = scratch.getContext("2d");
    sctx.putImageData(new ImageData(rgba, size, size), 0, 0);
    ctx.imageSmoothingEnabled = smooth;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(scratch, 0, 0, w, h);
  }

  function sizeCanvas(canvas) {
    // backing store = CSS size x device pixel ratio, for crisp points and text
    const r = canvas.getBoundingClientRect();
    const w = Math.max(1, Math.round((r.width || canvas.clientWidth || 400) * dpr()));
    const h = Math.max(1, Math.round((r.height || canvas.clientHeight || 400) * dpr()));
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    return [w, h];
  }

  function planeMap(bounds, w, h) {
    const b = Array.isArray(bounds) && bounds.length === 4 ? bounds : [-6, 6, -6, 6];
    return {
      x: (v) => ((v - b[0]) / (b[1] - b[0] || 1)) * w,
      y: (v) => ((b[3] - v) / (b[3] - b[2] || 1)) * h,
    };
  }

  function drawHeatmap(canvas, heatB64, confB64, opts) {
    const [w, h] = sizeCanvas(canvas);
    const ctx = canvas.getContext("2d");
    const info = S.info;
    const grid = info && Number.isInteger(info.grid) ? info.grid : 100;
    const bytes = decode(heatB64);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    if (!bytes || bytes.length !== grid * grid || !info) {
      ctx.fillStyle = "#f3f4f6";
      ctx.fillRect(0, 0, w, h);
    } else {
      const rgba = new Uint8ClampedArray(grid * grid * 4);
      const discrete = $("discretize").checked;
      heatPixels(info, bytes, decode(confB64), discrete, rgba);
      blit(ctx, rgba, grid, w, h, !discrete);
    }
    if (info) drawPoints(ctx, w, h, opts || {});
    drawAxes(ctx, w, h);
  }

  function drawAxes(ctx, w, h) {
    const b = (S.info && S.info.bounds) || null;
    if (!b) return;
    const s = dpr();
    ctx.font = `${10 * s}px system-ui, sans-serif`;
    ctx.fillStyle = "rgba(40,40,40,0.65)";
    ctx.textBaseline = "bottom";
    ctx.textAlign = "left";
    const n = (v) => (isNum(v) ? String(Number(v.toPrecision(3))) : "");
    ctx.fillText(n(b[0]), 3 * s, h - 2 * s);
    ctx.textAlign = "right";
    ctx.fillText(`${n(b[1])}  x₁`, w - 3 * s, h - 2 * s);
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText(`x₂ ${n(b[3])}`, 3 * s, 2 * s);
  }

  function drawPoints(ctx, w, h, opts) {
    const info = S.info;
    const map = planeMap(info.bounds, w, h);
    const s = dpr() * (w / dpr() < 250 ? 0.8 : 1);
    const preds = S.frame && S.frame.predictions && !opts.noMarks ? S.frame.predictions : null;
    const sets = [];
    if ($("show-test").checked && info.test && Array.isArray(info.test.x)) {
      sets.push(["test", info.test, preds ? decode(preds.test) : null]);
    }
    if (info.train && Array.isArray(info.train.x)) {
      sets.push(["train", info.train, preds ? decode(preds.train) : null]);
    }
    for (const [which, data, pred] of sets) {
      const n = data.x.length;
      const r = (n <= 20 ? 7 : n <= 200 ? 4 : 3.2) * s;
      const kind = taskKind(info);
      for (let i = 0; i < n; i++) {
        const p = data.x[i];
        if (!p) continue;
        const x = map.x(p[0]);
        const y = map.y(p[1]);
        const label = data.y[i];
        ctx.beginPath();
        ctx.arc(x, y, r, 0, 2 * Math.PI);
        ctx.fillStyle = css(pointColor(info, label));
        ctx.fill();
        ctx.lineWidth = (which === "test" ? 1.3 : 1) * s;
        if (which === "test") ctx.strokeStyle = "#1f2937";
        else ctx.strokeStyle = kind === "regression" ? "#6b7280" : "#fff";
        ctx.stroke();
        if (kind !== "regression" && pred && pred.length === n && pred[i] !== label) {
          drawMiss(ctx, x, y, r, s);
        }
        if (which === "train" && !opts.noMarks && S.selected.has(i)) {
          ctx.beginPath();
          ctx.arc(x, y, r + 4 * s, 0, 2 * Math.PI);
          ctx.lineWidth = 2.5 * s;
          ctx.strokeStyle = "#6d28d9";
          ctx.stroke();
        }
      }
    }
  }

  // A misclassified point: a red ring around it (its own colour stays visible).
  function drawMiss(ctx, x, y, r, s) {
    ctx.beginPath();
    ctx.arc(x, y, r + 2 * s, 0, 2 * Math.PI);
    ctx.lineWidth = 1.5 * s;
    ctx.strokeStyle = "#d0021b";
    ctx.stroke();
  }

  // A hidden unit's thumbnail (or the output's), from its bytes.
  function drawUnitCanvas(canvas, b64, size, smooth) {
    const bytes = decode(b64);
    if (!bytes || bytes.length !== size * size) return false;
    const t = lut("unit");
    const rgba = new Uint8ClampedArray(size * size * 4);
    for (let i = 0; i < bytes.length; i++) {
      const v = bytes[i];
      rgba[4 * i] = t[3 * v];
      rgba[4 * i + 1] = t[3 * v + 1];
      rgba[4 * i + 2] = t[3 * v + 2];
      rgba[4 * i + 3] = 255;
    }
    const ctx = canvas.getContext("2d");
    if (canvas.width === size && canvas.height === size) {
      ctx.putImageData(new ImageData(rgba, size, size), 0, 0);
    } else {
      blit(ctx, rgba, size, canvas.width, canvas.height, smooth);
    }
    return true;
  }

  const FEATURE_FNS = {
    x1: (a) => a,
    x2: (a, b) => b,
    "x1^2": (a) => a * a,
    "x2^2": (a, b) => b * b,
    "x1*x2": (a, b) => a * b,
    "sin(x1)": (a) => Math.sin(a),
    "sin(x2)": (a, b) => Math.sin(b),
  };

  function drawFeature(canvas, name, bounds) {
    const ctx = canvas.getContext("2d");
    const n = canvas.width;
    const fn = FEATURE_FNS[String(name).replace(/\s+/g, "")];
    if (!fn) {
      ctx.fillStyle = "#e5e7eb";
      ctx.fillRect(0, 0, n, canvas.height);
      return;
    }
    const vals = new Float64Array(n * n);
    let m = 0;
    for (let r = 0; r < n; r++) {
      const b = bounds[3] - ((r + 0.5) / n) * (bounds[3] - bounds[2]);
      for (let c = 0; c < n; c++) {
        const a = bounds[0] + ((c + 0.5) / n) * (bounds[1] - bounds[0]);
        const v = fn(a, b);
        vals[r * n + c] = v;
        m = Math.max(m, Math.abs(v));
      }
    }
    const t = lut("unit");
    const img = ctx.createImageData(n, n);
    for (let i = 0; i < n * n; i++) {
      const v = clamp(Math.round(128 + (127 * vals[i]) / (m || 1)), 0, 255);
      img.data[4 * i] = t[3 * v];
      img.data[4 * i + 1] = t[3 * v + 1];
      img.data[4 * i + 2] = t[3 * v + 2];
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  // ---------------------------------------------------------------- the network drawing

  function structure() {
    const cfg = S.config;
    const info = S.info;
    const pending = S.dirty || S.configInflight > 0 || !info;
    const inputs = !pending && Array.isArray(info.inputs) ? info.inputs : cfg.features;
    const hidden = cfg.hidden.map((h) => h.units);
    let outputs = 1;
    if (info && Array.isArray(info.layers) && info.layers.length) {
      outputs = info.layers[info.layers.length - 1];
    }
    return { inputs, hidden, outputs, cols: [inputs.length, ...hidden, outputs] };
  }

  function renderNetwork(force) {
    if (!S.config) return;
    const st = structure();
    const scroll = $("network-scroll");
    const avail = Math.max(320, scroll.clientWidth - 4);
    const ncol = st.cols.length;
    const width = Math.max(avail, 70 + (ncol - 1) * 112 + 40);
    // each column's node size: as large as fits 380 px, 12 .. 34 px
    const sizes = st.cols.map((n) => clamp(Math.floor(380 / Math.max(n, 1)) - 6, 12, 34));
    const gaps = sizes.map((n) => n + (n > 20 ? 10 : 4));
    const top = st.hidden.length ? 104 : 24;
    const height = top + Math.max(...st.cols.map((n, c) => n * gaps[c]), 0) + 16;
    const key = JSON.stringify([st.inputs, st.cols, width, S.info && S.info.thumb]);
    if (!force && S.net && S.net.key === key) {
      updateLayerControls();
      return;
    }
    const xs = st.cols.map((_, i) =>
      ncol === 1 ? width / 2 : 70 + (i * (width - 70 - 40)) / (ncol - 1));
    const pos = st.cols.map((n, c) =>
      Array.from({ length: n }, (_, i) => [xs[c], top + i * gaps[c] + sizes[c] / 2]));
    S.net = { key, st, xs, pos, sizes, width, height, links: [] };
    const area = $("network-area");
    area.style.width = `${width}px`;
    area.style.height = `${height}px`;
    buildLinks(width, height);
    buildInputNodes(st, pos[0], sizes[0]);
    buildUnits(st, pos, sizes);
    buildOutputNodes(st, pos[pos.length - 1], sizes[sizes.length - 1]);
    buildLayerControls(st, xs);
    scheduleDraw();
  }

  function buildLinks(width, height) {
    const svg = $("network");
    svg.setAttribute("width", String(width));
    svg.setAttribute("height", String(height));
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.textContent = "";
    const { pos, sizes } = S.net;
    for (let l = 0; l + 1 < pos.length; l++) {
      const g = document.createElementNS(SVG_NS, "g");
      const layer = [];
      for (let i = 0; i < pos[l].length; i++) {
        const row = [];
        const [x1, y1] = pos[l][i];
        for (let j = 0; j < pos[l + 1].length; j++) {
          const [x2, y2] = pos[l + 1][j];
          const a = x1 + sizes[l] / 2;
          const b = x2 - sizes[l + 1] / 2;
          const m = (a + b) / 2;
          const p = document.createElementNS(SVG_NS, "path");
          p.setAttribute("d", `M${a},${y1} C${m},${y1} ${m},${y2} ${b},${y2}`);
          p.setAttribute("class", "link");
          p.style.stroke = "#d1d5db";
          p.style.strokeWidth = "1";
          p.dataset.l = String(l);
          p.dataset.i = String(i);
          p.dataset.j = String(j);
          g.appendChild(p);
          row.push(p);
        }
        layer.push(row);
      }
      svg.appendChild(g);
      S.net.links.push(layer);
    }
  }

  function placeNode(e, x, y, size) {
    e.style.left = `${x - size / 2}px`;
    e.style.top = `${y - size / 2}px`;
    e.style.width = `${size}px`;
    e.style.height = `${size}px`;
  }

  function buildInputNodes(st, pos, node) {
    const box = $("input-nodes");
    box.textContent = "";
    const bounds = (S.info && S.info.bounds) || [-6, 6, -6, 6];
    st.inputs.forEach((name, i) => {
      const c = el("canvas", { width: "32", height: "32", class: "input-unit", title: `input ${name}` });
      placeNode(c, pos[i][0], pos[i][1], node);
      drawFeature(c, name, bounds);
      box.appendChild(c);
      const label = el("div", { class: "input-label" }, pretty(name));
      label.style.right = `${S.net.width - pos[i][0] + node / 2 + 6}px`;
      label.style.top = `${pos[i][1] - 9}px`;
      box.appendChild(label);
    });
  }

  function buildUnits(st, pos, sizes) {
    const box = $("thumbnails");
    box.textContent = "";
    const thumb = (S.info && Number.isInteger(S.info.thumb) && S.info.thumb) || 50;
    st.hidden.forEach((n, l) => {
      for (let u = 0; u < n; u++) {
        const c = el("canvas", {
          width: String(thumb), height: String(thumb), class: "unit",
          dataset: { layer: String(l), unit: String(u) },
          title: `layer ${l + 1}, unit ${u + 1}: click to enlarge`,
        });
        const [x, y] = pos[l + 1][u];
        placeNode(c, x, y, sizes[l + 1]);
        c.addEventListener("click", () => openModal(l, u));
        box.appendChild(c);
      }
    });
  }

  function buildOutputNodes(st, pos, node) {
    const box = $("output-nodes");
    box.textContent = "";
    const kind = taskKind(S.info);
    const k = st.outputs;
    for (let j = 0; j < k; j++) {
      let e;
      if (k === 1) {
        e = el("canvas", { width: "50", height: "50", class: "output-unit", title: "output" });
      } else {
        e = el("div", { class: "output-unit class-node", title: `output ${j + 1}` });
        if (kind === "multiclass") e.style.background = css(classColor(j, k));
      }
      const size = node;
      placeNode(e, pos[j][0], pos[j][1], size);
      box.appendChild(e);
      if (k > 1 && S.info && Array.isArray(S.info.classes) && S.info.classes.length === k) {
        const label = el("div", { class: "output-label" }, String(S.info.classes[j]));
        label.style.left = `${pos[j][0] + size / 2 + 5}px`;
        label.style.top = `${pos[j][1] - 9}px`;
        box.appendChild(label);
      }
    }
  }

  function buildLayerControls(st, xs) {
    const box = $("layer-controls");
    box.textContent = "";
    const acts = (S.options && S.options.activations) || ["tanh", "relu", "sigmoid", "linear"];
    st.hidden.forEach((_, l) => {
      const c = el("div", { class: "layer-control", dataset: { layer: String(l) } });
      c.style.left = `${xs[l + 1] - 50}px`;
      const row = el("div", { class: "units-row" });
      const plus = el("button", { type: "button", class: "small-round", id: `units-plus-${l}`, title: "more units" }, "+");
      const minus = el("button", { type: "button", class: "small-round", id: `units-minus-${l}`, title: "fewer units" }, "−");
      row.appendChild(plus);
      row.appendChild(minus);
      c.appendChild(row);
      c.appendChild(el("div", { class: "units-text", id: `units-${l}` }));
      const act = el("select", { id: `activation-${l}`, class: "cfg", title: "activation" });
      fillSelect(act, acts.map((a) => [a, a]));
      const drop = el("select", { id: `dropout-${l}`, class: "cfg", title: "dropout" });
      fillSelect(drop, DROPOUTS.map((d) => [String(d), d ? `dropout ${d}` : "no dropout"]));
      c.appendChild(act);
      c.appendChild(drop);
      box.appendChild(c);
      plus.addEventListener("click", () => changeUnits(l, 1));
      minus.addEventListener("click", () => changeUnits(l, -1));
      act.addEventListener("change", () => {
        if (!S.config.hidden[l]) return;
        S.config.hidden[l].activation = act.value;
        configChanged();
      });
      drop.addEventListener("change", () => {
        if (!S.config.hidden[l]) return;
        S.config.hidden[l].dropout = parseFloat(drop.value);
        configChanged();
      });
    });
    updateLayerControls();
  }

  function updateLayerControls() {
    const maxUnits = limit("max_units", 64);
    S.config.hidden.forEach((h, l) => {
      const t = $(`units-${l}`);
      if (!t) return;
      t.textContent = `${h.units} ${h.units === 1 ? "unit" : "units"}`;
      setSelect($(`activation-${l}`), h.activation);
      setSelect($(`dropout-${l}`), h.dropout, h.dropout ? `dropout ${h.dropout}` : "no dropout");
      $(`units-plus-${l}`).disabled = h.units >= maxUnits;
      $(`units-minus-${l}`).disabled = h.units <= 1;
    });
  }

  function changeUnits(l, d) {
    const h = S.config.hidden[l];
    if (!h) return;
    const v = clamp(h.units + d, 1, limit("max_units", 64));
    if (v === h.units) return;
    h.units = v;
    configChanged();
  }

  function linkColor(w) {
    const t = clamp(w, -1, 1);
    // blue for negative weights, orange for positive ones
    return css(t < 0 ? mix(LIGHT, BLUE, -t) : mix(LIGHT, ORANGE, t));
  }

  function weightsFit(frame) {
    const net = S.net;
    if (!net || !frame || !Array.isArray(frame.weights)) return false;
    if (frame.weights.length !== net.pos.length - 1) return false;
    return frame.weights.every((layer, l) => {
      const W = layer && layer.W;
      return Array.isArray(W) && W.length === net.pos[l].length &&
        W.every((row) => Array.isArray(row) && row.length === net.pos[l + 1].length);
    });
  }

  function drawLinks(frame) {
    if (!weightsFit(frame)) return;
    frame.weights.forEach((layer, l) => {
      const paths = S.net.links[l];
      layer.W.forEach((row, i) => {
        row.forEach((w, j) => {
          const p = paths[i][j];
          const stroke = isNum(w) ? linkColor(w) : "#d1d5db";
          const width = isNum(w) ? (0.5 + Math.min(Math.abs(w), 6) * 0.9).toFixed(2) : "1";
          if (p.mlpStroke !== stroke) {
            p.mlpStroke = stroke;
            p.style.stroke = stroke;
          }
          if (p.mlpWidth !== width) {
            p.mlpWidth = width;
            p.style.strokeWidth = width;
          }
        });
      });
    });
  }

  function nodeName(l, i) {
    if (l === 0) return S.net ? pretty(S.net.st.inputs[i]) : `input ${i + 1}`;
    if (S.net && l === S.net.pos.length - 1) return S.net.st.outputs === 1 ? "output" : `output ${i + 1}`;
    return `layer ${l} unit ${i + 1}`;
  }

  function bindTooltip() {
    const tip = $("tooltip");
    const show = (ev, text) => {
      tip.textContent = text;
      tip.hidden = false;
      tip.style.left = `${ev.clientX + 14}px`;
      tip.style.top = `${ev.clientY + 12}px`;
    };
    const area = $("network-area");
    area.addEventListener("mousemove", (ev) => {
      const t = ev.target;
      if (t instanceof Element && t.classList.contains("link")) {
        const l = Number(t.dataset.l);
        const i = Number(t.dataset.i);
        const j = Number(t.dataset.j);
        const f = S.frame;
        const w = weightsFit(f) ? f.weights[l].W[i][j] : null;
        show(ev, `weight ${fmt(w) || "—"}  (${nodeName(l, i)} → ${nodeName(l + 1, j)})`);
      } else if (t instanceof Element && t.classList.contains("unit")) {
        const l = Number(t.dataset.layer);
        const u = Number(t.dataset.unit);
        const f = S.frame;
        const b = weightsFit(f) && Array.isArray(f.weights[l].b) ? f.weights[l].b[u] : null;
        show(ev, `layer ${l + 1}, unit ${u + 1}: bias ${fmt(b) || "—"} (click to enlarge)`);
      } else {
        tip.hidden = true;
      }
    });
    area.addEventListener("mouseleave", () => {
      tip.hidden = true;
    });
  }

  // ---------------------------------------------------------------- the enlarged unit

  function openModal(l, u) {
    S.modalUnit = [l, u];
    const act = S.config.hidden[l] ? S.config.hidden[l].activation : "";
    $("unit-title").textContent = `Layer ${l + 1}, unit ${u + 1}${act ? ` (${act})` : ""}`;
    $("unit-modal").hidden = false;
    scheduleDraw();
  }

  function closeModal() {
    S.modalUnit = null;
    $("unit-modal").hidden = true;
  }

  function drawModal(frame) {
    if (!S.modalUnit || $("unit-modal").hidden) return;
    const [l, u] = S.modalUnit;
    const canvas = $("unit-big");
    const [w, h] = sizeCanvas(canvas);
    const ctx = canvas.getContext("2d");
    const thumb = (S.info && S.info.thumb) || 50;
    const units = frame && Array.isArray(frame.units) ? frame.units : [];
    const b64 = Array.isArray(units[l]) ? units[l][u] : null;
    const bytes = decode(b64);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    if (!bytes || bytes.length !== thumb * thumb) {
      ctx.fillStyle = "#f3f4f6";
      ctx.fillRect(0, 0, w, h);
      return;
    }
    const t = lut("unit");
    const rgba = new Uint8ClampedArray(thumb * thumb * 4);
    for (let i = 0; i < bytes.length; i++) {
      rgba[4 * i] = t[3 * bytes[i]];
      rgba[4 * i + 1] = t[3 * bytes[i] + 1];
      rgba[4 * i + 2] = t[3 * bytes[i] + 2];
      rgba[4 * i + 3] = 255;
    }
    blit(ctx, rgba, thumb, w, h, true);
    if (S.info) drawPoints(ctx, w, h, { noMarks: true });
    drawAxes(ctx, w, h);
  }

  // ---------------------------------------------------------------- the loss chart

  function drawChart(frame) {
    const canvas = $("loss-chart");
    const [w, h] = sizeCanvas(canvas);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const c = frame && frame.curve;
    if (!c || !Array.isArray(c.epoch) || c.epoch.length < 1) return;
    const ep = c.epoch;
    const series = [
      [Array.isArray(c.train) ? c.train : [], "#0072B2", []],
      [Array.isArray(c.test) ? c.test : [], "#E69F00", [5, 3]],
    ];
    let ymax = 0;
    for (const [ys] of series) for (const y of ys) if (isNum(y) && y > ymax) ymax = y;
    if (!(ymax > 0)) ymax = 1;
    const s = dpr();
    const pad = 4 * s;
    const x0 = ep[0];
    const x1 = ep[ep.length - 1];
    const X = (e) => pad + ((e - x0) / (x1 - x0 || 1)) * (w - 2 * pad);
    const Y = (v) => h - pad - (v / ymax) * (h - 2 * pad - 10 * s);
    ctx.strokeStyle = "#e5e7eb";
    ctx.lineWidth = s;
    ctx.beginPath();
    ctx.moveTo(pad, h - pad);
    ctx.lineTo(w - pad, h - pad);
    ctx.stroke();
    for (const [ys, color, dash] of series) {
      ctx.beginPath();
      let on = false;
      for (let i = 0; i < ep.length && i < ys.length; i++) {
        if (!isNum(ys[i]) || !isNum(ep[i])) {
          on = false;
          continue;
        }
        if (on) ctx.lineTo(X(ep[i]), Y(ys[i]));
        else ctx.moveTo(X(ep[i]), Y(ys[i]));
        on = true;
      }
      ctx.setLineDash(dash.map((d) => d * s));
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.8 * s;
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.fillStyle = "#6b7280";
    ctx.font = `${10 * s}px system-ui, sans-serif`;
    ctx.textAlign = "right";
    ctx.textBaseline = "top";
    ctx.fillText(`max ${fmt(ymax)}`, w - pad, 1 * s);
    ctx.textAlign = "left";
    ctx.fillText(x1 > x0 ? `epochs ${x0}–${x1}` : `epoch ${x1}`, pad, 1 * s);
  }

  // ---------------------------------------------------------------- drawing a frame

  function scheduleDraw() {
    if (S.drawPending) return;
    S.drawPending = true;
    requestAnimationFrame(() => {
      S.drawPending = false;
      try {
        drawAll();
      } catch (e) {
        console.error(e);
      }
    });
  }

  function setText(id, text) {
    const e = $(id);
    if (e.textContent !== text) e.textContent = text;
  }

  function drawStatus(f) {
    const st = $("status");
    let text = "paused";
    let cls = "status paused";
    if (f && f.diverged && typeof f.diverged === "object") {
      text = String(f.diverged.message || `diverged at epoch ${f.diverged.epoch}`);
      cls = "status diverged";
    } else if (f && f.running) {
      text = "running";
      cls = "status running";
    }
    setText("status", text);
    if (st.className !== cls) st.className = cls;
    $("play").classList.toggle("active", Boolean(f && f.running));
    $("pause").classList.toggle("active", !(f && f.running));
  }

  function drawAll() {
    const f = S.frame;
    if (f) {
      setText("epoch", isNum(f.epoch) ? String(Math.round(f.epoch)) : "0");
      setText("train-loss", fmt(f.train_loss));
      setText("test-loss", fmt(f.test_loss));
      setText("train-accuracy", fmt(f.train_accuracy));
      setText("test-accuracy", fmt(f.test_accuracy));
    }
    drawStatus(f);
    drawHeatmap($("heatmap"), f ? f.heatmap : null, f ? f.confidence : null);
    drawBaseline(f);
    drawUnits(f);
    drawOutputNode(f);
    drawLinks(f);
    drawChart(f);
    drawModal(f);
  }

  function drawBaseline(f) {
    const on = Boolean(S.config && S.config.baseline);
    const b = f && f.baseline && typeof f.baseline === "object" ? f.baseline : null;
    const panel = $("baseline-panel");
    panel.hidden = !on;
    $("heatmaps").classList.toggle("with-baseline", on);
    if (!on) return;
    drawHeatmap($("baseline-heatmap"), b ? b.heatmap : null, b ? b.confidence : null, { noMarks: true });
    const regression = taskKind(S.info) === "regression";
    setText("baseline-name", regression ? "linear regression" : "logistic regression");
    $("baseline-accuracy-part").hidden = regression;
    const acc = b ? (isNum(b.test_accuracy) ? b.test_accuracy : b.train_accuracy) : null;
    setText("baseline-accuracy", fmt(acc) || "—");
    const loss = b ? (isNum(b.test_loss) ? b.test_loss : b.train_loss) : null;
    setText("baseline-loss", fmt(loss) || "—");
  }

  function drawUnits(f) {
    if (!f || !Array.isArray(f.units)) return;
    const thumb = (S.info && S.info.thumb) || 50;
    for (const c of document.querySelectorAll("#thumbnails canvas.unit")) {
      const l = Number(c.dataset.layer);
      const u = Number(c.dataset.unit);
      const layer = f.units[l];
      if (Array.isArray(layer) && typeof layer[u] === "string") drawUnitCanvas(c, layer[u], thumb, true);
    }
  }

  function drawOutputNode(f) {
    const c = document.querySelector("#output-nodes canvas.output-unit");
    if (!c || !f || !S.info) return;
    const grid = Number.isInteger(S.info.grid) ? S.info.grid : 100;
    const bytes = decode(f.heatmap);
    if (!bytes || bytes.length !== grid * grid) return;
    const rgba = new Uint8ClampedArray(grid * grid * 4);
    heatPixels(S.info, bytes, decode(f.confidence), $("discretize").checked, rgba);
    blit(c.getContext("2d"), rgba, grid, c.width, c.height, true);
  }

  // ---------------------------------------------------------------- go

  function boot() {
    bindTooltip();
    start().catch((e) => showError(e));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
