/* dlnotes playground: a small MLP trained in the page (no library, no request to any host).
 *
 * Embedding: <div class="dlnotes-playground" data-preset="NAME"></div> (hooks/playground.py
 * loads this file and playground.css only on pages that contain one). Labels follow <html lang>.
 * The model is written from the notes' formulas (feedforward, backprop pages):
 *   z(l) = W(l) a(l-1) + b(l),  a(l) = f(z(l)) (inverted dropout: a = f(z) * m / (1 - p)),
 *   output z(L) = W(L) a(L-1) + b(L) (no activation), loss on the mini-batch B:
 *   logistic  J = mean over B of [softplus(z) - y z]  (BCE of sigmoid(z), labels 0/1),
 *   squared   J = mean over B of (z - y)^2 / 2,
 *   plus the penalty on the weights (not the biases): L2 rate * sum w^2, L1 rate * sum |w|.
 *   delta(L) = dJ/dz(L), delta(l) = (W(l+1)^T delta(l+1)) o f'(z(l)) o m(l)/(1-p); one SGD step.
 * The reported train/test loss is the mean data loss without the penalty, in evaluation mode.
 * State of embedding number i (all settings and the seed) lives in the URL hash as pg-i=...
 * Test hook: window.dlnotesPlayground (tests/test_playground.py).
 */
(function () {
  "use strict";

  // ---------- seeded random numbers: mulberry32 and Box-Muller ----------
  function mulberry32(seed) {
    let a = seed >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  function normal(rng) {
    let u = 0;
    while (u === 0) u = rng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  }
  function shuffle(arr, rng) {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1)), t = arr[i];
      arr[i] = arr[j]; arr[j] = t;
    }
    return arr;
  }

  // ---------- data sets on [-1, 1]^2 ----------
  const TAU = 2 * Math.PI;
  const DATA = {
    circle(i, n, rng) {
      const y = i < n / 2 ? 1 : 0, r = y ? 0.5 * rng() : 0.7 + 0.3 * rng(), t = TAU * rng();
      return [r * Math.cos(t), r * Math.sin(t), y];
    },
    xor(i, n, rng) {
      const u = () => (0.05 + 0.9 * rng()) * (rng() < 0.5 ? -1 : 1), a = u(), b = u();
      return [a, b, a * b > 0 ? 1 : 0];
    },
    gauss(i, n, rng) {
      const y = i % 2, c = y ? 0.4 : -0.4;
      return [c + 0.25 * normal(rng), c + 0.25 * normal(rng), y];
    },
    spiral(i, n, rng) {
      const m = Math.ceil(n / 2), y = i < m ? 1 : 0, k = y ? i : i - m, s = k / m;
      const r = 0.05 + 0.9 * s, t = 1.25 * s * TAU + (y ? 0 : Math.PI);
      return [r * Math.sin(t), r * Math.cos(t), y];
    },
    sine(i, n, rng) { // regression: f = sin(2u) + 0.3u with u = pi x1 (the feed-forward page's function)
      const a = 2 * rng() - 1, b = 2 * rng() - 1, u = Math.PI * a;
      return [a, b, Math.sin(2 * u) + 0.3 * u];
    },
  };
  const REGRESSION = { sine: true };

  function makeData(s) {
    const rng = mulberry32(s.seed * 7919 + 1), pts = [];
    for (let i = 0; i < s.n; i++) {
      const p = DATA[s.data](i, s.n, rng);
      if (REGRESSION[s.data]) p[2] += s.noise * normal(rng);
      else { p[0] += s.noise * normal(rng); p[1] += s.noise * normal(rng); }

      pts.push(p);
    }
    shuffle(pts, rng);
    const nt = Math.max(1, Math.min(s.n - 1, Math.round(s.train * s.n)));
    const pack = (a) => ({ x: a.map((p) => Float64Array.of(p[0], p[1])), y: Float64Array.from(a, (p) => p[2]) });
    return { train: pack(pts.slice(0, nt)), test: pack(pts.slice(nt)) };
  }

  // ---------- the network ----------
  const ACT = { // f(z) and f'(z) written with z and a = f(z)
    relu: [(z) => (z > 0 ? z : 0), (z) => (z > 0 ? 1 : 0)],
    tanh: [Math.tanh, (z, a) => 1 - a * a],
    sigmoid: [(z) => 1 / (1 + Math.exp(-z)), (z, a) => a * (1 - a)],
    linear: [(z) => z, () => 1],
  };
  const INIT = { // standard deviation of N(0, sd^2) for a layer; biases start at 0
    small: () => 0.01,
    xavier: (nin, nout) => Math.sqrt(2 / (nin + nout)),
    kaiming: (nin) => Math.sqrt(2 / nin),
  };
  const sigmoid = ACT.sigmoid[0];
  const LOSS = { // value and dJ/dz for one observation
    logistic: [(z, y) => Math.max(z, 0) - y * z + Math.log1p(Math.exp(-Math.abs(z))), (z, y) => sigmoid(z) - y],
    squared: [(z, y) => 0.5 * (z - y) * (z - y), (z, y) => z - y],
  };

  function Net(sizes, act) {
    this.sizes = sizes;
    this.L = sizes.length - 1;
    this.setAct(act);
    const arr = (k) => sizes.map((n) => new Float64Array(k ? n : 0));
    this.W = []; this.b = []; this.gW = []; this.gb = [];
    for (let l = 0; l < this.L; l++) {
      this.W.push(new Float64Array(sizes[l + 1] * sizes[l])); this.b.push(new Float64Array(sizes[l + 1]));
      this.gW.push(new Float64Array(sizes[l + 1] * sizes[l])); this.gb.push(new Float64Array(sizes[l + 1]));
    }
    this.Z = arr(1); this.A = arr(1); this.F = arr(1); this.M = arr(1); this.D = arr(1);
    this.drop = 0; this.rng = Math.random; this.masks = null;
  }
  Net.prototype.setAct = function (act) { this.act = act; this.f = ACT[act][0]; this.df = ACT[act][1]; };
  Net.prototype.init = function (kind, rng) {
    for (let l = 0; l < this.L; l++) {
      const sd = INIT[kind](this.sizes[l], this.sizes[l + 1]), W = this.W[l];
      for (let k = 0; k < W.length; k++) W[k] = sd * normal(rng);
      this.b[l].fill(0);
    }
  };
  // Forward pass of one observation x; train: dropout on (masks[l][sample] if given, else drawn).
  Net.prototype.forward = function (x, train, sample) {
    const L = this.L, A = this.A, p = train ? this.drop : 0, f = this.f;
    A[0].set(x);
    for (let l = 0; l < L; l++) {
      const W = this.W[l], b = this.b[l], a = A[l], z = this.Z[l + 1], an = A[l + 1], inn = a.length;
      const Fz = this.F[l + 1], M = this.M[l + 1], last = l === L - 1;
      for (let j = 0; j < z.length; j++) {
        let s = b[j];
        for (let k = 0, r = j * inn; k < inn; k++) s += W[r + k] * a[k];
        z[j] = s;
        if (last) { an[j] = s; continue; }
        const v = f(s);
        Fz[j] = v;
        let m = 1;
        if (p > 0) m = (this.masks ? this.masks[l][sample][j] : (this.rng() >= p ? 1 : 0)) / (1 - p);
        M[j] = m;
        an[j] = v * m;
      }
    }
    return A[L][0];
  };
  // Backward pass after forward(): g = dJ/dz(L); adds this observation's share to gW, gb.
  Net.prototype.backward = function (g) {
    const A = this.A, D = this.D, df = this.df;
    D[this.L][0] = g;
    for (let l = this.L - 1; l >= 0; l--) {
      const a = A[l], dn = D[l + 1], W = this.W[l], gW = this.gW[l], gb = this.gb[l], inn = a.length, out = dn.length;
      for (let j = 0; j < out; j++) {
        const d = dn[j];
        gb[j] += d;
        for (let k = 0, r = j * inn; k < inn; k++) gW[r + k] += d * a[k];
      }
      if (l === 0) break;
      const dp = D[l], Z = this.Z[l], Fz = this.F[l], M = this.M[l];
      for (let k = 0; k < inn; k++) {
        let s = 0;
        for (let j = 0; j < out; j++) s += W[j * inn + k] * dn[j];
        dp[k] = s * df(Z[k], Fz[k]) * M[k];
      }
    }
  };
  Net.prototype.penalty = function (reg, rate) {
    let s = 0;
    if (reg === "none" || !rate) return 0;
    for (const W of this.W) for (let k = 0; k < W.length; k++) s += reg === "l2" ? W[k] * W[k] : Math.abs(W[k]);
    return rate * s;
  };
  // One step of mini-batch SGD on the observations idx; returns the objective before the step.
  Net.prototype.step = function (X, Y, idx, o) {
    const [lf, lg] = LOSS[o.loss], B = idx.length;
    for (let l = 0; l < this.L; l++) { this.gW[l].fill(0); this.gb[l].fill(0); }
    let data = 0;
    for (let i = 0; i < B; i++) {
      const z = this.forward(X[idx[i]], true, i), y = Y[idx[i]];
      data += lf(z, y);
      this.backward(lg(z, y) / B);
    }
    data /= B;
    const pen = this.penalty(o.reg, o.rate);
    for (let l = 0; l < this.L; l++) {
      const W = this.W[l], gW = this.gW[l], b = this.b[l], gb = this.gb[l];
      if (o.reg !== "none" && o.rate) {
        for (let k = 0; k < W.length; k++) gW[k] += o.reg === "l2" ? 2 * o.rate * W[k] : o.rate * Math.sign(W[k]);
      }
      for (let k = 0; k < W.length; k++) W[k] -= o.lr * gW[k];
      for (let k = 0; k < b.length; k++) b[k] -= o.lr * gb[k];
    }
    return { data: data, penalty: pen, loss: data + pen };
  };

  // ---------- settings, presets, URL state ----------
  const DEFAULTS = { data: "circle", noise: 0.1, train: 0.5, n: 400, seed: 1, hidden: [4, 4], act: "tanh",
    init: "xavier", lr: 0.03, batch: 10, reg: "none", rate: 0, drop: 0 };
  const PRESETS = { // each claim in the pages about a preset is checked by tests/test_playground.py
    "xor-linear": { data: "xor", noise: 0.05, hidden: [], lr: 0.1 },
    "xor-hidden": { data: "xor", noise: 0.05, hidden: [4], lr: 0.1 },
    spiral: { data: "spiral", noise: 0.05, hidden: [8, 8, 8], act: "relu", init: "kaiming", lr: 0.1 },
    approx: { data: "sine", noise: 0, hidden: [8], lr: 0.3 },
    "init-small": { data: "circle", hidden: [8, 8, 8, 8, 8], init: "small", lr: 0.03 },
    "init-xavier": { data: "circle", hidden: [8, 8, 8, 8, 8], init: "xavier", lr: 0.03 },
    "act-sigmoid": { data: "circle", hidden: [8, 8, 8, 8], act: "sigmoid", lr: 0.03 },
    "act-tanh": { data: "circle", hidden: [8, 8, 8, 8], act: "tanh", lr: 0.03 },
    "reg-none": { data: "circle", noise: 0.2, train: 0.2, hidden: [8, 8, 8], act: "relu", init: "kaiming", lr: 0.1 },
    "reg-l2": { data: "circle", noise: 0.2, train: 0.2, hidden: [8, 8, 8], act: "relu", init: "kaiming", lr: 0.1, reg: "l2", rate: 0.003 },
  };
  const CHOICES = {
    data: ["circle", "xor", "gauss", "spiral", "sine"],
    act: ["relu", "tanh", "sigmoid", "linear"],
    init: ["small", "xavier", "kaiming"],
    layers: [0, 1, 2, 3, 4, 5, 6],
    units: [1, 2, 3, 4, 5, 6, 7, 8],
    lr: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3],
    batch: [1, 5, 10, 25, 50, 100],
    reg: ["none", "l1", "l2"],
    rate: [0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1],
    drop: [0, 0.1, 0.2, 0.3, 0.5],
    noise: [0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5],
    train: [0.1, 0.2, 0.3, 0.5, 0.7, 0.9],
    n: [100, 200, 400, 1000],
  };
  function settings(preset, over) {
    const s = Object.assign({}, DEFAULTS, PRESETS[preset] || {}, over || {});
    s.hidden = s.hidden.slice(0, 6).map((u) => Math.max(1, Math.min(8, u | 0)));
    s.loss = REGRESSION[s.data] ? "squared" : "logistic";
    return s;
  }
  const KEYS = ["data", "noise", "train", "n", "seed", "hidden", "act", "init", "lr", "batch", "reg", "rate", "drop"];
  function encode(s) { return KEYS.map((k) => k + ":" + (k === "hidden" ? s.hidden.join("-") : s[k])).join(","); }
  function decode(str) {
    const o = {};
    for (const part of str.split(",")) {
      const [k, v] = part.split(":");
      if (!KEYS.includes(k) || v === undefined) continue;
      if (k === "hidden") o.hidden = v.split("-").filter(Boolean).map(Number);
      else if (typeof DEFAULTS[k] === "number") { if (isFinite(+v)) o[k] = +v; }
      else if ((CHOICES[k] || []).includes(v)) o[k] = v;
    }
    if (o.seed !== undefined) o.seed = Math.abs(o.seed | 0);
    return o;
  }
  function hashParts() {
    const m = new Map();
    for (const p of location.hash.replace(/^#/, "").split("&")) {
      const i = p.indexOf("=");
      if (i > 0 && p.startsWith("pg-")) m.set(p.slice(0, i), decodeURIComponent(p.slice(i + 1)));
    }
    return m;
  }

  // ---------- the model: data + network + training history, no DOM ----------
  function Model(s) {
    this.s = s;
    this.d = makeData(s);
    this.net = new Net([2].concat(s.hidden, [1]), s.act);
    this.net.init(s.init, mulberry32(s.seed * 7919 + 2));
    this.net.rng = this.trng = mulberry32(s.seed * 7919 + 3);
    this.epoch = 0;
    this.hist = [];
    this.order = Array.from(this.d.train.y, (_, i) => i);
    this.record();
  }
  Model.prototype.evaluate = function (set) {
    const lf = LOSS[this.s.loss][0], net = this.net;
    let loss = 0, hit = 0;
    for (let i = 0; i < set.y.length; i++) {
      const z = net.forward(set.x[i], false, 0), y = set.y[i];
      loss += lf(z, y);
      hit += (z > 0 ? 1 : 0) === y ? 1 : 0;
    }
    const n = Math.max(1, set.y.length);
    return { loss: loss / n, acc: this.s.loss === "logistic" ? hit / n : null };
  };
  Model.prototype.record = function () {
    this.last = { train: this.evaluate(this.d.train), test: this.evaluate(this.d.test) };
    this.hist.push([this.last.train.loss, this.last.test.loss]);
  };
  Model.prototype.trainEpoch = function () {
    const s = this.s, net = this.net, X = this.d.train.x, Y = this.d.train.y, B = Math.max(1, s.batch);
    net.drop = s.drop;
    shuffle(this.order, this.trng);
    for (let i = 0; i < this.order.length; i += B) net.step(X, Y, this.order.slice(i, i + B), s);
    this.epoch++;
    this.record();
  };

  // ---------- drawing ----------
  const BLUE = [0, 114, 178], ORANGE = [213, 94, 0], SKY = "#56B4E9", WHITE = [247, 247, 247];
  const hex = (c) => "rgb(" + c.join(",") + ")";
  function colour(v, out, o) { // v in [-1, 1]: orange (class 0 / negative) - white - blue
    const t = Math.min(1, Math.abs(v)) * 0.8, c = v > 0 ? BLUE : ORANGE;
    for (let k = 0; k < 3; k++) out[o + k] = WHITE[k] + (c[k] - WHITE[k]) * t;
    out[o + 3] = 255;
  }
  const EXT = 1.2; // the plotted square is [-EXT, EXT]^2
  function dark() { return document.body.getAttribute("data-md-color-scheme") === "slate"; }

  // ---------- the widget ----------
  const TEXT = {
    zh: { preset: "预设", custom: "自定义", data: "数据", noise: "噪声", train: "训练比例", n: "点数", seed: "种子",
      layers: "隐藏层数", units: "每层单元", act: "激活函数", init: "初始化", lr: "学习率", batch: "批量大小",
      reg: "正则化", rate: "正则化率", drop: "丢弃率", play: "运行", pause: "暂停", step: "单步", reset: "重置",
      epoch: "轮", trainLoss: "训练损失", testLoss: "测试损失", acc: "测试准确率", network: "网络：每个隐藏单元的输出（热图），权重（线宽与颜色：蓝正、橙负）",
      output: "输出：判别边界与数据（实心为训练点，空心为测试点）", outputReg: "输出：回归曲面与数据（实心为训练点，空心为测试点）",
      curve: "训练损失（实线）与测试损失（虚线）", link: "链接到此配置",
      names: { circle: "圆环", xor: "异或", gauss: "两个高斯", spiral: "螺旋", sine: "回归：sin(2u)+0.3u", relu: "ReLU", tanh: "tanh",
        sigmoid: "sigmoid", linear: "线性", small: "N(0, 0.01²)", xavier: "Xavier", kaiming: "Kaiming", none: "无", l1: "L1", l2: "L2" },
      label: "神经网络演练场" },
    en: { preset: "Preset", custom: "custom", data: "Data", noise: "Noise", train: "Training share", n: "Points", seed: "Seed",
      layers: "Hidden layers", units: "Units per layer", act: "Activation", init: "Initialization", lr: "Learning rate",
      batch: "Batch size", reg: "Regularization", rate: "Regularization rate", drop: "Dropout rate", play: "Play", pause: "Pause",
      step: "Step", reset: "Reset", epoch: "Epoch", trainLoss: "training loss", testLoss: "test loss", acc: "test accuracy",
      network: "Network: each hidden unit's output (heat map), weights (line width and colour: blue positive, orange negative)",
      output: "Output: decision boundary and data (filled: training points, hollow: test points)",
      outputReg: "Output: regression surface and data (filled: training points, hollow: test points)",
      curve: "Training loss (solid) and test loss (dashed)", link: "Link to this configuration",
      names: { circle: "circle", xor: "XOR", gauss: "two Gaussians", spiral: "spiral", sine: "regression: sin(2u)+0.3u", relu: "ReLU",
        tanh: "tanh", sigmoid: "sigmoid", linear: "linear", small: "N(0, 0.01²)", xavier: "Xavier", kaiming: "Kaiming", none: "none",
        l1: "L1", l2: "L2" },
      label: "Neural network playground" },
  };
  const instances = [];

  function el(tag, attrs, kids) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    for (const c of kids || []) e.append(c);
    return e;
  }

  function Widget(root, index) {
    this.root = root; this.index = index; this.key = "pg-" + index;
    this.T = TEXT[(document.documentElement.lang || "zh").slice(0, 2) === "en" ? "en" : "zh"];
    this.preset = root.getAttribute("data-preset") || "";
    const saved = hashParts().get(this.key);
    this.s = settings(this.preset, saved ? decode(saved) : null);
    this.playing = false; this.frames = 0; this.uid = "pg" + index + "-";
    this.build();
    this.reset();
  }
  Widget.prototype.select = function (key, values, label, fmt) {
    const id = this.uid + key, sel = el("select", { id: id, "data-key": key });
    for (const v of values) sel.append(el("option", { value: String(v) }, [fmt ? fmt(v) : String(v)]));
    this.controls[key] = sel;
    return el("div", { class: "pg-field" }, [el("label", { for: id }, [label]), sel]);
  };
  Widget.prototype.build = function () {
    const T = this.T, N = (v) => T.names[v] || String(v), pct = (v) => Math.round(v * 100) + "%";
    this.controls = {};
    this.root.textContent = "";
    this.root.setAttribute("role", "group");
    this.root.setAttribute("aria-label", T.label);
    const presets = [""].concat(Object.keys(PRESETS));
    const fields = el("div", { class: "pg-controls" }, [
      this.select("preset", presets, T.preset, (v) => v || T.custom),
      this.select("data", CHOICES.data, T.data, N), this.select("noise", CHOICES.noise, T.noise),
      this.select("train", CHOICES.train, T.train, pct), this.select("n", CHOICES.n, T.n),
      this.select("layers", CHOICES.layers, T.layers), this.select("units", CHOICES.units, T.units),
      this.select("act", CHOICES.act, T.act, N), this.select("init", CHOICES.init, T.init, N),
      this.select("lr", CHOICES.lr, T.lr), this.select("batch", CHOICES.batch, T.batch),
      this.select("reg", CHOICES.reg, T.reg, N), this.select("rate", CHOICES.rate, T.rate),
      this.select("drop", CHOICES.drop, T.drop, pct),
    ]);
    const seedId = this.uid + "seed";
    this.controls.seed = el("input", { id: seedId, type: "number", min: "0", max: "99999", step: "1", "data-key": "seed" });
    fields.append(el("div", { class: "pg-field" }, [el("label", { for: seedId }, [T.seed]), this.controls.seed]));
    this.btnPlay = el("button", { type: "button", class: "pg-play md-button", "aria-pressed": "false" }, [T.play]);
    this.btnStep = el("button", { type: "button", class: "md-button" }, [T.step]);
    this.btnReset = el("button", { type: "button", class: "md-button" }, [T.reset]);
    this.linkA = el("a", { class: "pg-link", href: "#" }, [T.link]);
    this.status = el("span", { class: "pg-status", "aria-live": "off" });
    const bar = el("div", { class: "pg-bar" }, [this.btnPlay, this.btnStep, this.btnReset, this.status, this.linkA]);
    this.cNet = el("canvas", { class: "pg-net", role: "img", "aria-label": T.network });
    this.cOut = el("canvas", { class: "pg-out", role: "img" });
    this.cLoss = el("canvas", { class: "pg-loss", role: "img", "aria-label": T.curve });
    this.capOut = el("figcaption");
    const fig = (c, cap) => el("figure", { class: "pg-fig" }, [c, cap]);
    const views = el("div", { class: "pg-views" }, [fig(this.cOut, this.capOut), fig(this.cLoss, el("figcaption", {}, [T.curve]))]);
    this.root.append(fields, bar, fig(this.cNet, el("figcaption", {}, [T.network])), views);
    this.root.addEventListener("change", (e) => this.onChange(e.target));
    this.btnPlay.addEventListener("click", () => this.toggle());
    this.btnStep.addEventListener("click", () => { this.pause(); this.model.trainEpoch(); this.draw(); });
    this.btnReset.addEventListener("click", () => { this.pause(); this.reset(); });
  };
  Widget.prototype.sync = function () {
    const s = this.s, c = this.controls;
    const match = Object.keys(PRESETS).find((p) => encode(settings(p)) === encode(s)) || "";
    c.preset.value = match;
    for (const k of ["data", "noise", "train", "n", "act", "init", "lr", "batch", "reg", "rate", "drop"]) c[k].value = String(s[k]);
    c.layers.value = String(s.hidden.length);
    c.units.value = String(s.hidden.length ? Math.max.apply(null, s.hidden) : 4);
    c.units.disabled = s.hidden.length === 0;
    c.seed.value = String(s.seed);
    this.capOut.textContent = s.loss === "squared" ? this.T.outputReg : this.T.output;
    this.cOut.setAttribute("aria-label", this.capOut.textContent);
    const parts = hashParts();
    parts.set(this.key, encodeURIComponent(encode(s)).replace(/%(2C|3A)/g, (m) => decodeURIComponent(m)));
    const hash = "#" + Array.from(parts, ([k, v]) => k + "=" + v).join("&");
    this.linkA.setAttribute("href", hash);
    if (this.touched) history.replaceState(null, "", hash);
  };
  Widget.prototype.onChange = function (t) {
    const k = t.getAttribute("data-key"), s = this.s;
    if (!k) return;
    const live = { lr: 1, batch: 1, reg: 1, rate: 1, drop: 1 }; // applied without restarting
    if (k === "preset") { if (t.value) this.s = settings(t.value); }
    else if (k === "layers" || k === "units") {
      const L = +this.controls.layers.value, u = +this.controls.units.value || 4;
      s.hidden = Array.from({ length: L }, () => u);
    } else if (k === "seed") s.seed = Math.max(0, Math.min(99999, parseInt(t.value, 10) || 0));
    else if (typeof DEFAULTS[k] === "number") s[k] = +t.value;
    else s[k] = t.value;
    this.s = settings(null, this.s);
    this.touched = true;
    if (live[k]) { this.model.s = this.s; this.sync(); this.draw(); } else this.reset();
  };
  Widget.prototype.reset = function () {
    this.model = new Model(this.s);
    this.sync();
    this.draw();
  };
  Widget.prototype.toggle = function () { if (this.playing) this.pause(); else this.play(); };
  Widget.prototype.play = function () {
    this.playing = true;
    this.btnPlay.textContent = this.T.pause;
    this.btnPlay.setAttribute("aria-pressed", "true");
    const tick = () => {
      if (!this.playing) return;
      this.model.trainEpoch();
      this.draw();
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
  Widget.prototype.pause = function () {
    this.playing = false;
    this.btnPlay.textContent = this.T.play;
    this.btnPlay.setAttribute("aria-pressed", "false");
  };
  function fit(c, w, h) {
    const r = window.devicePixelRatio || 1;
    if (c.width !== Math.round(w * r) || c.height !== Math.round(h * r)) { c.width = Math.round(w * r); c.height = Math.round(h * r); }
    c.style.width = w + "px"; c.style.height = h + "px";
    const g = c.getContext("2d");
    g.setTransform(r, 0, 0, r, 0, 0);
    g.clearRect(0, 0, w, h);
    return g;
  }
  // Values of every unit on a G x G grid over the plotted square: vals[l][j] is a Float64Array(G*G).
  function gridValues(net, G) {
    const vals = net.sizes.map((n) => Array.from({ length: n }, () => new Float64Array(G * G))), x = new Float64Array(2);
    for (let r = 0; r < G; r++) for (let q = 0; q < G; q++) {
      x[0] = -EXT + (2 * EXT * (q + 0.5)) / G; x[1] = EXT - (2 * EXT * (r + 0.5)) / G;
      net.forward(x, false, 0);
      for (let l = 0; l < net.sizes.length; l++) for (let j = 0; j < net.sizes[l]; j++) vals[l][j][r * G + q] = net.A[l][j];
    }
    return vals;
  }
  const pool = new Map(); // one reused G x G canvas per size G (drawImage copies it at once)
  function tile(v, G, scale) { // a G x G canvas coloured by scale(v)
    const key = G;
    if (!pool.has(key)) {
      const c = document.createElement("canvas");
      c.width = c.height = G;
      pool.set(key, [c, c.getContext("2d").createImageData(G, G)]);
    }
    const [c, img] = pool.get(key), g = c.getContext("2d");
    for (let i = 0; i < v.length; i++) colour(scale(v[i]), img.data, 4 * i);
    g.putImageData(img, 0, 0);
    return c;
  }
  Widget.prototype.draw = function () {
    const m = this.model, s = this.s, T = this.T, fg = getComputedStyle(this.root).color;
    this.frames++;
    const tr = m.last.train, te = m.last.test;
    this.status.textContent = T.epoch + " " + m.epoch + " · " + T.trainLoss + " " + tr.loss.toFixed(3) + " · " + T.testLoss + " " +
      te.loss.toFixed(3) + (te.acc === null ? "" : " · " + T.acc + " " + (100 * te.acc).toFixed(1) + "%");
    const width = Math.max(260, this.root.clientWidth || 600);
    // output heat map with the data
    const G = 48, side = Math.min(320, width), vals = gridValues(m.net, G), L = m.net.L;
    const sq = s.loss === "squared" ? (v) => v / 2 : (v) => 2 * sigmoid(v) - 1;
    const g = fit(this.cOut, side, side);
    g.imageSmoothingEnabled = true;
    g.drawImage(tile(vals[L][0], G, sq), 0, 0, side, side);
    const px = (u) => ((u + EXT) / (2 * EXT)) * side;
    g.lineWidth = 1.2;
    for (const [set, hollow] of [[m.d.train, false], [m.d.test, true]]) {
      for (const cls of [-1, 1]) { // one path per set and colour: few draw calls for many points
        g.beginPath();
        for (let i = 0; i < set.y.length; i++) {
          const y = set.y[i], v = s.loss === "squared" ? y / 2 : 2 * y - 1;
          if ((v > 0 ? 1 : -1) !== cls) continue;
          const x0 = px(set.x[i][0]), y0 = side - px(set.x[i][1]);
          g.moveTo(x0 + 3, y0);
          g.arc(x0, y0, 3, 0, TAU);
        }
        const c = hex(cls > 0 ? BLUE : ORANGE);
        g.fillStyle = hollow ? "rgba(255,255,255,0.6)" : c;
        g.strokeStyle = hollow ? c : "#fff";
        g.fill(); g.stroke();
      }
    }
    // loss curves
    const lw = Math.min(320, width), lh = Math.round(lw * 0.6), gl = fit(this.cLoss, lw, lh), H = m.hist;
    const top = Math.max(0.1, ...H.map((h) => Math.max(h[0], h[1])).filter(isFinite)), pad = 28;
    gl.strokeStyle = fg; gl.fillStyle = fg; gl.lineWidth = 1; gl.font = "11px sans-serif";
    gl.beginPath(); gl.moveTo(pad, 4); gl.lineTo(pad, lh - 16); gl.lineTo(lw - 4, lh - 16); gl.stroke();
    gl.fillText(top.toFixed(2), 2, 12); gl.fillText("0", pad - 10, lh - 16); gl.fillText(String(m.epoch), lw - 30, lh - 3);
    const cx = (i) => pad + ((lw - pad - 6) * i) / Math.max(1, H.length - 1), cy = (v) => lh - 16 - ((lh - 22) * Math.min(v, top)) / top;
    [[0, dark() ? SKY : hex(BLUE), []], [1, hex(ORANGE), [5, 3]]].forEach(([k, c, dash]) => {
      gl.strokeStyle = c; gl.lineWidth = 2; gl.setLineDash(dash); gl.beginPath();
      H.forEach((h, i) => (i ? gl.lineTo(cx(i), cy(h[k])) : gl.moveTo(cx(i), cy(h[k]))));
      gl.stroke();
    });
    gl.setLineDash([]);
    // the network: unit tiles and weights
    const sizes = m.net.sizes, cols = sizes.length, maxU = Math.max(...sizes);
    const t = Math.max(14, Math.min(40, Math.floor(width / (cols * 2.2)), Math.floor(260 / maxU) - 6)), gap = 6;
    const nh = maxU * (t + gap) + gap, gn = fit(this.cNet, width, nh);
    const colX = (l) => (cols === 1 ? 0 : (l * (width - t)) / (cols - 1));
    const rowY = (l, j) => (nh - sizes[l] * (t + gap) + gap) / 2 + j * (t + gap);
    let wmax = 1e-9;
    for (const W of m.net.W) for (let k = 0; k < W.length; k++) wmax = Math.max(wmax, Math.abs(W[k]));
    for (let l = 0; l < L; l++) {
      const W = m.net.W[l], inn = sizes[l];
      for (let j = 0; j < sizes[l + 1]; j++) for (let k = 0; k < inn; k++) {
        const w = W[j * inn + k];
        gn.strokeStyle = w > 0 ? (dark() ? SKY : hex(BLUE)) : hex(ORANGE);
        gn.lineWidth = 0.3 + (4 * Math.abs(w)) / wmax;
        gn.beginPath(); gn.moveTo(colX(l) + t, rowY(l, k) + t / 2); gn.lineTo(colX(l + 1), rowY(l + 1, j) + t / 2); gn.stroke();
      }
    }
    const act = s.act, Gt = 24, small = gridValues(m.net, Gt);
    for (let l = 0; l < cols; l++) for (let j = 0; j < sizes[l]; j++) {
      const v = small[l][j];
      let sc;
      if (l === L) sc = sq;
      else if (l > 0 && act === "sigmoid" && !s.drop) sc = (a) => 2 * a - 1;
      else { let mx = 1e-9; for (let i = 0; i < v.length; i++) mx = Math.max(mx, Math.abs(v[i])); sc = (a) => a / mx; }
      gn.imageSmoothingEnabled = true;
      gn.drawImage(tile(v, Gt, sc), colX(l), rowY(l, j), t, t);
      gn.strokeStyle = fg; gn.lineWidth = 1; gn.strokeRect(colX(l) + 0.5, rowY(l, j) + 0.5, t - 1, t - 1);
    }
  };

  function start() {
    document.querySelectorAll(".dlnotes-playground").forEach((root, i) => instances.push(new Widget(root, i)));
    let pending = false;
    window.addEventListener("resize", () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; instances.forEach((w) => w.draw()); });
    });
    new MutationObserver(() => instances.forEach((w) => w.draw()))
      .observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
  }

  // ---------- test hook ----------
  const arr2 = (W, rows, cols) => Array.from({ length: rows }, (_, j) => Array.from(W.subarray(j * cols, (j + 1) * cols)));
  // One step on given weights and data: spec = {weights: [W (out x in)], biases, x, y, act, loss, reg, rate, lr, drop, masks}.
  function testStep(spec) {
    const sizes = [spec.weights[0][0].length].concat(spec.weights.map((W) => W.length));
    const net = new Net(sizes, spec.act);
    spec.weights.forEach((W, l) => net.W[l].set(W.flat()));
    spec.biases.forEach((b, l) => net.b[l].set(b));
    net.drop = spec.drop || 0;
    net.masks = spec.masks || null;
    const X = spec.x.map((r) => Float64Array.from(r)), idx = X.map((_, i) => i);
    const out = idx.map((i) => net.forward(X[i], !!net.drop, i));
    const r = net.step(X, Float64Array.from(spec.y), idx, { loss: spec.loss, reg: spec.reg || "none", rate: spec.rate || 0, lr: spec.lr });
    const sh = (l) => [sizes[l + 1], sizes[l]];
    return { loss: r.loss, data: r.data, penalty: r.penalty, output: out,
      gradW: net.gW.map((g, l) => arr2(g, ...sh(l))), gradB: net.gb.map((g) => Array.from(g)),
      W: net.W.map((w, l) => arr2(w, ...sh(l))), b: net.b.map((b) => Array.from(b)) };
  }
  function runPreset(name, epochs, over) {
    const m = new Model(settings(name, over));
    for (let e = 0; e < epochs; e++) m.trainEpoch();
    return { epoch: m.epoch, train: m.last.train, test: m.last.test, history: m.hist, settings: m.s,
      ntrain: m.d.train.y.length, ntest: m.d.test.y.length };
  }
  function timeEpochs(over, epochs) {
    const m = new Model(settings(null, over)), t0 = performance.now();
    for (let e = 0; e < epochs; e++) m.trainEpoch();
    return { ms: (performance.now() - t0) / epochs, ntrain: m.d.train.y.length, test: m.last.test };
  }
  window.dlnotesPlayground = { testStep, runPreset, timeEpochs, settings, encode, decode, presets: PRESETS, instances };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
