// 全图 — the whole workspace drawn with WebGL (points and lines on the GPU), labels on a 2D canvas above it by
// level of detail: only nodes in view, most important first, never overlapping, longer when zoomed in. Pan by
// dragging, zoom with the wheel, hover for the full title, click to open a node (or, in the grouped overview,
// a document). Positions come from Python (graph columns per document tile); nothing is fetched: the data
// arrives with the component and the script runs from a same-origin blob.
const STATE = new WeakMap();
const FONT = "WenQuanYi Zen Hei, Noto Sans CJK SC, Microsoft YaHei, sans-serif";

function shader(gl, type, src) {
  const s = gl.createShader(type);
  gl.shaderSource(s, src);
  gl.compileShader(s);
  if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) { throw new Error(gl.getShaderInfoLog(s)); }
  return s;
}

function program(gl, vs, fs) {
  const p = gl.createProgram();
  gl.attachShader(p, shader(gl, gl.VERTEX_SHADER, vs));
  gl.attachShader(p, shader(gl, gl.FRAGMENT_SHADER, fs));
  gl.linkProgram(p);
  if (!gl.getProgramParameter(p, gl.LINK_STATUS)) { throw new Error(gl.getProgramInfoLog(p)); }
  return p;
}

const POINT_VS = `
attribute vec2 a_pos; attribute float a_size; attribute vec3 a_col;
uniform vec2 u_scale; uniform vec2 u_shift; uniform float u_zoom; uniform float u_dpr;
varying vec3 v_col;
void main(){
  gl_Position = vec4(a_pos * u_scale + u_shift, 0.0, 1.0);
  gl_PointSize = clamp(a_size * u_zoom, 2.0, 40.0) * u_dpr;
  v_col = a_col;
}`;
const POINT_FS = `
precision mediump float; varying vec3 v_col;
void main(){
  vec2 d = gl_PointCoord - vec2(0.5);
  float r = dot(d, d);
  if (r > 0.25) { discard; }
  float edge = smoothstep(0.19, 0.25, r);
  gl_FragColor = vec4(mix(v_col, vec3(1.0), edge * 0.6), 1.0);
}`;
const LINE_VS = `
attribute vec2 a_pos; attribute vec4 a_col;
uniform vec2 u_scale; uniform vec2 u_shift;
varying vec4 v_col;
void main(){ gl_Position = vec4(a_pos * u_scale + u_shift, 0.0, 1.0); v_col = a_col; }`;
const LINE_FS = `precision mediump float; varying vec4 v_col; void main(){ gl_FragColor = v_col; }`;

function hexRgb(h) {
  const v = parseInt(h.slice(1, 7), 16);
  return [(v >> 16 & 255) / 255, (v >> 8 & 255) / 255, (v & 255) / 255];
}

function buffer(gl, data) {
  const b = gl.createBuffer();
  gl.bindBuffer(gl.ARRAY_BUFFER, b);
  gl.bufferData(gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
  return b;
}

function attrib(gl, prog, name, buf, size) {
  const loc = gl.getAttribLocation(prog, name);
  gl.bindBuffer(gl.ARRAY_BUFFER, buf);
  gl.enableVertexAttribArray(loc);
  gl.vertexAttribPointer(loc, size, gl.FLOAT, false, 0, 0);
}

function load(st, data) {
  const gl = st.gl;
  const n = data.x.length;
  st.data = data;
  st.n = n;
  const pos = new Float32Array(2 * n);
  const col = new Float32Array(3 * n);
  const size = new Float32Array(n);
  const rgb = data.palette.map(hexRgb);
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = data.x[i], y = data.y[i];
    pos[2 * i] = x; pos[2 * i + 1] = y;
    const c = rgb[data.c[i]] || [0.6, 0.6, 0.6];
    col[3 * i] = c[0]; col[3 * i + 1] = c[1]; col[3 * i + 2] = c[2];
    size[i] = data.s[i];
    if (x < minX) { minX = x; } if (x > maxX) { maxX = x; }
    if (y < minY) { minY = y; } if (y > maxY) { maxY = y; }
  }
  st.bounds = n ? [minX, minY, maxX, maxY] : [0, 0, 1, 1];
  st.pbuf = [buffer(gl, pos), buffer(gl, size), buffer(gl, col)];
  const m = data.e.length / 2;
  const lpos = new Float32Array(4 * m);
  const lcol = new Float32Array(8 * m);
  const ergb = data.edgePalette.map(hexRgb);
  for (let k = 0; k < m; k++) {
    const a = data.e[2 * k], b = data.e[2 * k + 1];
    lpos.set([data.x[a], data.y[a], data.x[b], data.y[b]], 4 * k);
    const c = ergb[data.ec[k]] || [0.7, 0.7, 0.7];
    lcol.set([c[0], c[1], c[2], 0.55, c[0], c[1], c[2], 0.55], 8 * k);
  }
  st.lbuf = [buffer(gl, lpos), buffer(gl, lcol)];
  st.m = m;
  // a uniform grid over the world for picking: a click looks at one cell and its neighbours, not at every node
  const w = Math.max(maxX - minX, 1), h = Math.max(maxY - minY, 1);
  st.cell = Math.max(w, h) / Math.max(8, Math.sqrt(n));
  st.grid = new Map();
  for (let i = 0; i < n; i++) {
    const key = Math.floor((data.x[i] - minX) / st.cell) + "," + Math.floor((data.y[i] - minY) / st.cell);
    if (!st.grid.has(key)) { st.grid.set(key, []); }
    st.grid.get(key).push(i);
  }
  st.order = Array.from({length: n}, (_, i) => i).sort((a, b) => data.p[b] - data.p[a]);
  fit(st);
}

function fit(st) {
  const [x0, y0, x1, y1] = st.bounds;
  const w = st.canvas.clientWidth || 800, h = st.canvas.clientHeight || 600;
  st.zoom = Math.min(w / Math.max(x1 - x0, 1), h / Math.max(y1 - y0, 1)) * 0.92;
  st.cx = (x0 + x1) / 2; st.cy = (y0 + y1) / 2;
  st.dirty = true;
}

function toScreen(st, x, y) {
  const w = st.canvas.clientWidth, h = st.canvas.clientHeight;
  return [(x - st.cx) * st.zoom + w / 2, (y - st.cy) * st.zoom + h / 2];
}

function toWorld(st, sx, sy) {
  const w = st.canvas.clientWidth, h = st.canvas.clientHeight;
  return [(sx - w / 2) / st.zoom + st.cx, (sy - h / 2) / st.zoom + st.cy];
}

function draw(st) {
  const gl = st.gl, dpr = window.devicePixelRatio || 1;
  const w = st.canvas.clientWidth, h = st.canvas.clientHeight;
  if (st.canvas.width !== Math.round(w * dpr) || st.canvas.height !== Math.round(h * dpr)) {
    st.canvas.width = Math.round(w * dpr); st.canvas.height = Math.round(h * dpr);
    st.labels.width = Math.round(w * dpr); st.labels.height = Math.round(h * dpr);
  }
  gl.viewport(0, 0, st.canvas.width, st.canvas.height);
  gl.clearColor(1, 1, 1, 1);
  gl.clear(gl.COLOR_BUFFER_BIT);
  const sx = 2 * st.zoom / w, sy = -2 * st.zoom / h;
  const shift = [-st.cx * sx, -st.cy * sy];
  const pointZoom = Math.max(0.35, Math.min(3, Math.sqrt(st.zoom / st.baseZoom)));
  gl.enable(gl.BLEND);
  gl.blendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA);
  if (st.m) {
    gl.useProgram(st.lprog);
    gl.uniform2f(gl.getUniformLocation(st.lprog, "u_scale"), sx, sy);
    gl.uniform2f(gl.getUniformLocation(st.lprog, "u_shift"), shift[0], shift[1]);
    attrib(gl, st.lprog, "a_pos", st.lbuf[0], 2);
    attrib(gl, st.lprog, "a_col", st.lbuf[1], 4);
    gl.drawArrays(gl.LINES, 0, 2 * st.m);
  }
  if (st.n) {
    gl.useProgram(st.pprog);
    gl.uniform2f(gl.getUniformLocation(st.pprog, "u_scale"), sx, sy);
    gl.uniform2f(gl.getUniformLocation(st.pprog, "u_shift"), shift[0], shift[1]);
    gl.uniform1f(gl.getUniformLocation(st.pprog, "u_zoom"), pointZoom);
    gl.uniform1f(gl.getUniformLocation(st.pprog, "u_dpr"), dpr);
    attrib(gl, st.pprog, "a_pos", st.pbuf[0], 2);
    attrib(gl, st.pprog, "a_size", st.pbuf[1], 1);
    attrib(gl, st.pprog, "a_col", st.pbuf[2], 3);
    gl.drawArrays(gl.POINTS, 0, st.n);
  }
  drawLabels(st, dpr, pointZoom);
  st.frames += 1;
  st.root.setAttribute("data-frames", String(st.frames));
}

function drawLabels(st, dpr, pointZoom) {
  // level of detail: the most important nodes in view get a label, as long as it does not cover another;
  // zoomed in, more nodes fit and their labels grow longer
  const ctx = st.labels.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, st.labels.width, st.labels.height);
  const w = st.canvas.clientWidth, h = st.canvas.clientHeight;
  const chars = Math.max(4, Math.min(40, Math.round(6 * Math.sqrt(st.zoom / st.baseZoom))));
  ctx.font = `12px ${FONT}`;
  ctx.textBaseline = "top";
  const taken = [];
  let shown = 0, tried = 0;
  const d = st.data;
  if (st.widthChars !== chars) { st.widths = new Map(); st.widthChars = chars; }  // text widths per length
  for (const i of st.order) {
    if (shown >= st.maxLabels || tried >= 6 * st.maxLabels) { break; }  // bounded work per frame
    const [x, y] = toScreen(st, d.x[i], d.y[i]);
    if (x < -50 || y < -20 || x > w + 50 || y > h + 20) { continue; }
    tried += 1;
    let text = d.l[i] || "";
    if (text.length > chars) { text = text.slice(0, chars) + "…"; }
    let tw = st.widths.get(i);
    if (tw === undefined) { tw = ctx.measureText(text).width; st.widths.set(i, tw); }
    const r = [x - tw / 2 - 2, y + 5, x + tw / 2 + 2, y + 21];
    if (taken.some((t) => r[0] < t[2] && r[2] > t[0] && r[1] < t[3] && r[3] > t[1])) { continue; }
    taken.push(r);
    ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,0.9)";
    ctx.strokeText(text, x - tw / 2, y + 6);
    ctx.fillStyle = "#222"; ctx.fillText(text, x - tw / 2, y + 6);
    shown += 1;
  }
  st.root.setAttribute("data-labels", String(shown));
  void pointZoom;
}

function pickAt(st, sx, sy) {
  const [wx, wy] = toWorld(st, sx, sy);
  const [x0, y0] = st.bounds;
  const cx = Math.floor((wx - x0) / st.cell), cy = Math.floor((wy - y0) / st.cell);
  let best = -1, bestD = (12 / st.zoom) ** 2;
  for (let i = -1; i <= 1; i++) {
    for (let j = -1; j <= 1; j++) {
      for (const k of st.grid.get(`${cx + i},${cy + j}`) || []) {
        const dx = st.data.x[k] - wx, dy = st.data.y[k] - wy;
        const dd = dx * dx + dy * dy;
        if (dd < bestD) { best = k; bestD = dd; }
      }
    }
  }
  return best;
}

function schedule(st) {
  if (st.raf) { return; }
  st.raf = requestAnimationFrame(() => { st.raf = 0; draw(st); });
}

function init(parent, data, trigger) {
  const el = (tag, cls, attrs) => {
    const e = document.createElement(tag);
    e.className = cls;
    for (const [k, v] of Object.entries(attrs || {})) { e.setAttribute(k, v); }
    return e;
  };
  const root = el("div", "tgm-root", {"data-testid": "tgm-root"});
  const bar = el("div", "tgm-bar");
  const find = el("input", "tgm-find", {type: "search", placeholder: "在图中定位（输入标题中的字词）", "data-testid": "tgm-find"});
  const fitBtn = el("button", "tgm-btn", {type: "button"});
  fitBtn.textContent = "适应窗口";
  const info = el("span", "tgm-info");
  bar.append(find, fitBtn, info);
  const wrap = el("div", "tgm-wrap");
  wrap.style.height = `${data.height || 640}px`;
  const canvas = el("canvas", "tgm-gl", {"data-testid": "tgm-canvas"});
  const labels = el("canvas", "tgm-labels");
  const tip = el("div", "tgm-tip");
  wrap.append(canvas, labels, tip);
  root.append(bar, wrap);
  parent.appendChild(root);
  const gl = canvas.getContext("webgl", {antialias: true, preserveDrawingBuffer: true});
  if (!gl) {
    info.textContent = "此浏览器不支持 WebGL，无法绘制全图；请改用“图谱”页探索。";
    root.setAttribute("data-error", "no-webgl");
    return null;
  }
  const st = {root, canvas, labels, tip, gl, info, find, trigger, frames: 0, raf: 0, maxLabels: 160,
    pprog: program(gl, POINT_VS, POINT_FS), lprog: program(gl, LINE_VS, LINE_FS), key: ""};
  let drag = null;
  canvas.addEventListener("mousedown", (ev) => { drag = {x: ev.clientX, y: ev.clientY, cx: st.cx, cy: st.cy, moved: false}; });
  window.addEventListener("mouseup", () => { setTimeout(() => { drag = null; }, 0); });
  canvas.addEventListener("mousemove", (ev) => {
    const r = canvas.getBoundingClientRect();
    if (drag && (ev.buttons & 1)) {
      const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; }
      st.cx = drag.cx - dx / st.zoom; st.cy = drag.cy - dy / st.zoom;
      tip.style.display = "none";
      schedule(st);
      return;
    }
    const i = pickAt(st, ev.clientX - r.left, ev.clientY - r.top);
    if (i < 0) { tip.style.display = "none"; canvas.style.cursor = "grab"; return; }
    canvas.style.cursor = "pointer";
    tip.textContent = st.data.t[i];
    tip.style.left = `${ev.clientX - r.left + 14}px`;
    tip.style.top = `${ev.clientY - r.top + 10}px`;
    tip.style.display = "block";
  });
  canvas.addEventListener("click", (ev) => {
    if (drag && drag.moved) { return; }
    const r = canvas.getBoundingClientRect();
    const i = pickAt(st, ev.clientX - r.left, ev.clientY - r.top);
    if (i >= 0) { st.root.setAttribute("data-clicked", st.data.id[i]); st.trigger("open", {id: st.data.id[i], t: Date.now()}); }
  });
  canvas.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const r = canvas.getBoundingClientRect();
    const sx = ev.clientX - r.left, sy = ev.clientY - r.top;
    const [wx, wy] = toWorld(st, sx, sy);
    const f = Math.exp(-ev.deltaY * 0.0015);
    st.zoom = Math.max(st.baseZoom * 0.3, Math.min(st.baseZoom * 400, st.zoom * f));
    const [nx, ny] = toWorld(st, sx, sy);
    st.cx += wx - nx; st.cy += wy - ny;
    schedule(st);
  }, {passive: false});
  fitBtn.addEventListener("click", () => { fit(st); schedule(st); });
  find.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter") { return; }
    const q = find.value.trim();
    if (!q) { return; }
    const i = st.data.t.findIndex((t) => t.includes(q));
    if (i < 0) { info.textContent = `图中没有标题含“${q}”的节点`; return; }
    st.cx = st.data.x[i]; st.cy = st.data.y[i]; st.zoom = Math.max(st.zoom, st.baseZoom * 12);
    info.textContent = `已定位：${st.data.t[i].slice(0, 60)}`;
    schedule(st);
  });
  new ResizeObserver(() => schedule(st)).observe(wrap);
  root.tgm = st;  // for the tests and the benchmark: the drawn state, read-only
  root.tgmScreen = (i) => toScreen(st, st.data.x[i], st.data.y[i]);
  return st;
}

export default function (component) {
  const {parentElement, data, setTriggerValue} = component;
  let st = STATE.get(parentElement);
  if (st === undefined) {
    st = init(parentElement, data, setTriggerValue);
    STATE.set(parentElement, st);
  }
  if (!st) { return undefined; }
  st.trigger = setTriggerValue;
  if (data.key !== st.key) {
    const t0 = performance.now();
    st.key = data.key;
    load(st, data);
    st.baseZoom = st.zoom;
    st.info.textContent = data.info || "";
    draw(st);
    st.root.setAttribute("data-nodes", String(st.n));
    st.root.setAttribute("data-edges", String(st.m));
    st.root.setAttribute("data-load-ms", String(Math.round(performance.now() - t0)));
    st.root.setAttribute("data-ready", data.key);
  }
  return () => {
    const s = STATE.get(parentElement);
    if (s) { s.root.remove(); STATE.delete(parentElement); }
  };
}
