// 探索 — the explorer drawn in the app page (a Streamlit v2 component), with vis-network (shipped in the pyvis
// package, prepended to this module by ui/explore/component.py). Python owns the scene's membership (which
// nodes are in it); this script owns where they stand, what is selected, pinned, how they are coloured and
// captioned. A new payload is merged into the drawn network: nodes already there keep their place, new ones
// are set around the node they were expanded from, so an expansion never redraws the picture and never
// reloads the page. Every text from a document reaches the page as canvas text or a DOM text node, never as
// markup.
const vis = globalThis.vis;
const STATE = new WeakMap();
const DOC_PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
  "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd"];
const ORIGIN_COLOURS = {parsed: "#b0b0b0", explicit: "#0d47a1", inferred: "#ef6c00", curated: "#2e7d32"};
const SHAPES = {Problem: "dot", Measure: "square", Cause: "triangle", Area: "diamond", PolicyRef: "hexagon",
  Document: "star", Action: "dot", Example: "dot"};
const SIZES = {Document: 22, Area: 16, Problem: 14, Measure: 13, Cause: 13, PolicyRef: 12, Action: 8, Example: 8};
const FONT = "WenQuanYi Zen Hei, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif";

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) { e.setAttribute(k, v); }
  if (text !== undefined) { e.textContent = text; }
  return e;
}

function wrap(text, width, maxLines) {
  const out = [];
  let cur = "";
  for (const ch of Array.from(text || "")) {
    cur += ch;
    if (cur.length >= width) { out.push(cur); cur = ""; }
  }
  if (cur) { out.push(cur); }
  if (maxLines && out.length > maxLines) {
    const kept = out.slice(0, maxLines);
    kept[maxLines - 1] = kept[maxLines - 1].slice(0, -1) + "…";
    return kept.join("\n");
  }
  return out.join("\n");
}

function caption(st, row) {
  const code = row.code || "";
  switch (st.caption) {
    case "title": return wrap(row.title, 14, 0);
    case "code": return code || wrap(row.title, 10, 2);
    case "document": return (row.docTag ? row.docTag + "\n" : "") + (code || wrap(row.title, 10, 1));
    default: return (code ? code + "\n" : "") + wrap(row.title, 14, 3);
  }
}

function nodeColour(st, row) {
  if (st.style === "document") {
    const i = st.docIndex.has(row.doc) ? st.docIndex.get(row.doc) : -1;
    return i < 0 ? "#9e9e9e" : DOC_PALETTE[i % DOC_PALETTE.length];
  }
  if (row.type === "Problem" && row.status === "none_found") { return st.palette.noneFound; }
  return st.palette.types[row.type] || "#999999";
}

function edgeLook(st, row) {
  let colour = st.palette.edges[row.type] || "#bbbbbb";
  let width = row.link ? 2 : 1;
  let dashes = row.origin === "inferred";
  if (row.origin === "curated") { colour = st.palette.curated; width = 3; }
  if (st.style === "origin") { colour = ORIGIN_COLOURS[row.origin] || colour; }
  if (st.style === "score" && row.link && row.score !== null) {
    width = 1 + 6 * row.score;
    const a = Math.round(80 + 175 * row.score).toString(16).padStart(2, "0");
    colour = colour.slice(0, 7) + a;
  }
  if (row.rejected) { colour = "#c62828"; dashes = [2, 6]; width = 1; }
  const label = row.rejected ? "已否决" : (row.link && st.style === "score" && row.score !== null
    ? row.score.toFixed(2) : "");
  return {color: {color: colour, highlight: "#000000"}, width, dashes, label,
    font: {size: 11, face: FONT, color: "#555", strokeWidth: 3, strokeColor: "#ffffff"}};
}

function nodeTip(row) {
  const box = el("div", {class: "tgx-tip"});
  box.appendChild(el("b", {}, `${row.typeZh} ${row.code || ""}`));
  if (row.docTag) { box.appendChild(el("div", {class: "tgx-tip-doc"}, row.docTag)); }
  box.appendChild(el("div", {}, row.title));
  box.appendChild(el("div", {class: "tgx-tip-doc"}, "单击选中并查看详情；双击展开；Ctrl+单击多选"));
  return box;
}

function edgeTip(row) {
  const parts = [row.typeZh, row.originZh];
  if (row.score !== null) { parts.push(`得分 ${row.score.toFixed(2)}`); }
  if (row.rejected) { parts.push("已否决"); }
  const box = el("div", {class: "tgx-tip"}, parts.filter(Boolean).join(" · "));
  if (row.comment) { box.appendChild(el("div", {class: "tgx-tip-doc"}, `批注：${row.comment}`)); }
  return box;
}

function visNode(st, row) {
  const colour = nodeColour(st, row);
  const pinned = st.pinned.has(row.id);
  const onPath = st.path.has(row.id);
  return {
    id: row.id, label: caption(st, row), title: nodeTip(row), shape: SHAPES[row.type] || "dot",
    size: SIZES[row.type] || 10,
    color: {background: colour, border: onPath ? "#000000" : (pinned ? "#212121" : colour),
      highlight: {background: colour, border: "#000000"}},
    borderWidth: onPath ? 5 : (pinned ? 3 : 1), shapeProperties: {borderDashes: pinned ? [4, 3] : false},
    font: {face: FONT, size: 13, color: "#222", strokeWidth: 3, strokeColor: "#ffffff"},
    fixed: pinned ? {x: true, y: true} : false,
  };
}

function visEdge(st, row) {
  return Object.assign({id: row.id, from: row.from, to: row.to, title: edgeTip(row),
    arrows: {to: {enabled: true, scaleFactor: 0.5}}, smooth: {type: "continuous"}}, edgeLook(st, row));
}

function renderLegend(st) {
  // the legend says what the colours mean now: node types, or the documents in the scene
  const legend = st.legend;
  legend.textContent = "";
  const item = (colour, text) => {
    const s = el("span", {}, text);
    s.prepend(el("i", {style: `background:${colour}`}));
    legend.appendChild(s);
  };
  if (st.style === "document") {
    const docs = new Map();
    for (const r of st.rows.values()) { if (r.doc && !docs.has(r.doc)) { docs.set(r.doc, r.docTag || r.doc); } }
    for (const [doc, tag] of docs) { item(nodeColour(st, {doc}), tag || "（本文档）"); }
    item("#9e9e9e", "不属于某一文档（政策依据等）");
  } else {
    for (const [t, zh] of Object.entries(st.typeLabels)) { item(st.palette.types[t], zh); }
  }
  const lines = {origin: "边：灰＝解析，深蓝＝明示，橙＝推断，绿＝人工", score: "边：越粗越深＝关联得分越高"};
  legend.appendChild(el("span", {}, (lines[st.style] ? lines[st.style] + "；" : "")
    + "虚线＝推断，粗绿＝人工确认，红点线＝已否决；虚框＝已固定"));
}

function restyle(st) {
  renderLegend(st);
  st.nodes.update(Array.from(st.rows.values()).map((r) => visNode(st, r)));
  st.edges.update(Array.from(st.edgeRows.values()).map((r) => visEdge(st, r)));
}

function placeAround(st, anchor, ids) {
  // new nodes on an arc facing away from the rest of the picture, so nothing already drawn moves
  const pos = st.network.getPositions();
  let ax = 0, ay = 0;
  if (anchor && pos[anchor]) { ax = pos[anchor].x; ay = pos[anchor].y; }
  let cx = 0, cy = 0, k = 0;
  for (const id in pos) { if (id !== anchor) { cx += pos[id].x; cy += pos[id].y; k += 1; } }
  let base = k ? Math.atan2(ay - cy / k, ax - cx / k) : 0;
  if (!isFinite(base)) { base = 0; }
  const n = ids.length;
  const radius = 170 + 9 * n;
  const spread = n <= 1 ? 0 : Math.min(2 * Math.PI * (n - 1) / n, Math.PI * (0.6 + n / 12));
  return ids.map((id, i) => {
    const a = base - spread / 2 + (n <= 1 ? 0 : spread * i / (n - 1));
    return {id, x: ax + radius * Math.cos(a), y: ay + radius * Math.sin(a)};
  });
}

function send(st, event, value) {
  st.sent += 1;
  st.root.setAttribute("data-sent", String(st.sent));
  st.trigger(event, value);
}

function sceneBody(st) {
  const pos = st.network.getPositions();
  const positions = {};
  for (const id in pos) { positions[id] = [Math.round(pos[id].x), Math.round(pos[id].y)]; }
  return {nodes: st.nodes.getIds(), positions, pinned: Array.from(st.pinned), style: st.style, caption: st.caption};
}

function updateBar(st) {
  const sel = st.network.getSelectedNodes();
  st.bar.count.textContent = `场景 ${st.nodes.length} 个节点、${st.edges.length} 条关系；已选 ${sel.length} 个`;
  st.bar.path.disabled = sel.length !== 2;
  for (const b of [st.bar.expand, st.bar.hide, st.bar.pin, st.bar.picture, st.bar.only]) { b.disabled = !sel.length; }
  st.root.setAttribute("data-selected", sel.join(","));
}

function buildBar(st, root) {
  const bar = el("div", {class: "tgx-bar"});
  const search = el("div", {class: "tgx-search"});
  const input = el("input", {type: "search", class: "tgx-input", "data-testid": "tgx-search",
    placeholder: "输入关键词，在全部文档中查找并加入场景（如：软弱涣散、两个确立）", autocomplete: "off"});
  const list = el("div", {class: "tgx-suggest", role: "listbox"});
  search.append(input, list);
  const btn = (label, title, cls) => {
    const b = el("button", {type: "button", class: "tgx-btn " + (cls || ""), title}, label);
    return b;
  };
  const b = {
    expand: btn("展开", "展开所选节点的相邻节点（双击节点亦可）"),
    hide: btn("隐藏", "把所选节点移出场景（Delete 键亦可）"),
    only: btn("只留所选", "隐藏所选以外的节点"),
    pin: btn("固定/取消", "固定所选节点的位置"),
    path: btn("最短路径", "所选两个节点之间的最短关联路径（Ctrl+单击选两个）"),
    picture: btn("溯源图", "为所选节点画溯源图（原因 → 问题 → 整改措施 → 具体举措）"),
    fit: btn("适应窗口", "缩放到整个场景"),
    clear: btn("清空", "清空场景", "tgx-warn"),
  };
  const styleSel = el("select", {class: "tgx-select", title: "着色方式", "data-testid": "tgx-style"});
  for (const [v, t] of [["type", "按类型着色"], ["document", "按文档着色"], ["origin", "按关联来源"], ["score", "按关联得分"]]) {
    styleSel.appendChild(el("option", {value: v}, t));
  }
  const capSel = el("select", {class: "tgx-select", title: "节点标题", "data-testid": "tgx-caption"});
  for (const [v, t] of [["code_title", "编号＋标题"], ["title", "完整标题"], ["code", "仅编号"], ["document", "文档＋编号"]]) {
    capSel.appendChild(el("option", {value: v}, t));
  }
  const name = el("input", {type: "text", class: "tgx-name", "data-testid": "tgx-scene-name", placeholder: "场景名称",
    maxlength: "60"});
  const save = btn("保存场景", "把当前场景（节点、位置、固定、着色、标题）保存到工作区");
  const row1 = el("div", {class: "tgx-row"});
  row1.append(search, styleSel, capSel, name, save);
  const row2 = el("div", {class: "tgx-row"});
  row2.append(b.expand, b.hide, b.only, b.pin, b.path, b.picture, b.fit, b.clear);
  const count = el("span", {class: "tgx-count"});
  const msg = el("span", {class: "tgx-msg", "data-testid": "tgx-message"});
  row2.append(count, msg);
  bar.append(row1, row2);
  root.appendChild(bar);
  Object.assign(b, {input, list, styleSel, capSel, name, save, count, msg});
  return b;
}

function showSuggestions(st, sug) {
  const list = st.bar.list;
  list.textContent = "";
  if (!sug || sug.q !== st.bar.input.value.trim() || !st.bar.input.value.trim()) { list.style.display = "none"; return; }
  if (!sug.items.length) {
    list.appendChild(el("div", {class: "tgx-none"}, `没有找到“${sug.q}”`));
  }
  sug.items.forEach((row, i) => {
    const item = el("div", {class: "tgx-item" + (i === 0 ? " tgx-active" : ""), role: "option", "data-id": row.id});
    const dot = el("i", {style: `background:${st.palette.types[row.type] || "#999"}`});
    item.append(dot, el("b", {}, `${row.typeZh} ${row.code || ""} `), document.createTextNode(row.title));
    if (row.docTag) { item.appendChild(el("span", {class: "tgx-doc"}, ` · ${row.docTag}`)); }
    item.addEventListener("mousedown", (ev) => { ev.preventDefault(); pick(st, row.id); });
    list.appendChild(item);
  });
  list.style.display = "block";
}

function pick(st, id) {
  st.bar.list.style.display = "none";
  st.bar.input.value = "";
  send(st, "add", {id, t: Date.now()});
}

function init(parent, data) {
  const root = el("div", {class: "tgx-root", "data-testid": "tgx-root"});
  parent.appendChild(root);
  const st = {root, rows: new Map(), edgeRows: new Map(), pinned: new Set(), path: new Set(), docIndex: new Map(),
    style: "type", caption: "code_title", palette: data.palette, seq: -1, sent: 0, trigger: () => {}};
  st.bar = buildBar(st, root);
  const canvas = el("div", {class: "tgx-canvas", "data-testid": "tgx-canvas"});
  canvas.style.height = `${data.height || 620}px`;
  root.appendChild(canvas);
  st.legend = el("div", {class: "tgx-legend", "data-testid": "tgx-legend"});
  st.typeLabels = data.typeLabels;
  root.appendChild(st.legend);
  st.nodes = new vis.DataSet();
  st.edges = new vis.DataSet();
  st.network = new vis.Network(canvas, {nodes: st.nodes, edges: st.edges}, {
    physics: {enabled: false},
    interaction: {hover: true, multiselect: true, tooltipDelay: 200, navigationButtons: false, keyboard: false},
    nodes: {font: {face: FONT}},
    layout: {randomSeed: 7},
  });
  const bar = st.bar;
  let timer = null;
  bar.input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = bar.input.value.trim();
    if (!q) { bar.list.style.display = "none"; return; }
    timer = setTimeout(() => send(st, "search", q), 180);
  });
  bar.input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      const first = bar.list.querySelector(".tgx-item");
      if (first) { pick(st, first.getAttribute("data-id")); }
    } else if (ev.key === "Escape") { bar.list.style.display = "none"; }
  });
  bar.input.addEventListener("blur", () => setTimeout(() => { bar.list.style.display = "none"; }, 150));
  const selected = () => st.network.getSelectedNodes();
  bar.expand.addEventListener("click", () => { if (selected().length) { send(st, "expand", {ids: selected(), t: Date.now()}); } });
  const hide = (ids) => {
    if (!ids.length) { return; }
    for (const id of ids) { st.rows.delete(id); st.pinned.delete(id); }
    st.nodes.remove(ids);
    for (const e of st.edges.get()) { if (!st.rows.has(e.from) || !st.rows.has(e.to)) { st.edgeRows.delete(e.id); st.edges.remove(e.id); } }
    send(st, "hide", {ids, t: Date.now()});
    updateBar(st);
  };
  bar.hide.addEventListener("click", () => hide(selected()));
  bar.only.addEventListener("click", () => { const keep = new Set(selected()); hide(st.nodes.getIds().filter((i) => !keep.has(i))); });
  bar.pin.addEventListener("click", () => {
    for (const id of selected()) { if (st.pinned.has(id)) { st.pinned.delete(id); } else { st.pinned.add(id); } }
    st.nodes.update(selected().map((id) => visNode(st, st.rows.get(id))));
  });
  bar.path.addEventListener("click", () => { const s = selected(); if (s.length === 2) { send(st, "path", {ids: s, t: Date.now()}); } });
  bar.picture.addEventListener("click", () => { if (selected().length) { send(st, "picture", {ids: selected(), t: Date.now()}); } });
  bar.fit.addEventListener("click", () => st.network.fit({animation: false}));
  bar.clear.addEventListener("click", () => { send(st, "clear", {t: Date.now()}); });
  bar.styleSel.addEventListener("change", () => { st.style = bar.styleSel.value; restyle(st); send(st, "look", {style: st.style, caption: st.caption}); });
  bar.capSel.addEventListener("change", () => { st.caption = bar.capSel.value; restyle(st); send(st, "look", {style: st.style, caption: st.caption}); });
  bar.save.addEventListener("click", () => {
    const name = bar.name.value.trim();
    if (!name) { bar.msg.textContent = "请先填写场景名称"; return; }
    send(st, "save", Object.assign({name, t: Date.now()}, sceneBody(st)));
  });
  st.network.on("click", (p) => {
    updateBar(st);
    if (p.nodes && p.nodes.length === 1 && !(p.event && p.event.srcEvent && (p.event.srcEvent.ctrlKey || p.event.srcEvent.metaKey))) {
      send(st, "open", {id: p.nodes[0], t: Date.now()});
    }
  });
  st.network.on("doubleClick", (p) => { if (p.nodes && p.nodes.length) { send(st, "expand", {ids: [p.nodes[0]], t: Date.now()}); } });
  st.network.on("dragEnd", () => updateBar(st));
  canvas.addEventListener("keydown", (ev) => { if (ev.key === "Delete") { hide(selected()); } });
  canvas.tabIndex = 0;
  root.tgx = st;  // for the tests and the benchmark: the drawn state, read-only
  return st;
}

function apply(st, data) {
  st.palette = data.palette;
  st.docIndex = new Map((data.documents || []).map((d, i) => [d, i]));
  const scene = data.scene || {nodes: [], edges: []};
  const reset = data.seq !== st.seq;
  if (reset) {
    st.seq = data.seq;
    st.style = scene.style || "type";
    st.caption = scene.caption || "code_title";
    st.bar.styleSel.value = st.style;
    st.bar.capSel.value = st.caption;
    st.pinned = new Set(scene.pinned || []);
    st.nodes.clear(); st.edges.clear(); st.rows.clear(); st.edgeRows.clear();
  }
  st.path = new Set(data.path || []);
  const positions = scene.positions || {};
  const incoming = new Map(scene.nodes.map((r) => [r.id, r]));
  const gone = st.nodes.getIds().filter((id) => !incoming.has(id));
  if (gone.length) { st.nodes.remove(gone); for (const id of gone) { st.rows.delete(id); st.pinned.delete(id); } }
  const fresh = scene.nodes.filter((r) => !st.rows.has(r.id));
  const unplaced = [];
  const known = [];
  for (const r of fresh) {
    if (positions[r.id]) { known.push(Object.assign(visNode(st, r), {x: positions[r.id][0], y: positions[r.id][1]})); }
    else { unplaced.push(r.id); }
  }
  const firstDraw = st.rows.size === 0 && known.length === 0 && unplaced.length > 1;
  for (const r of scene.nodes) { st.rows.set(r.id, r); }
  // first the nodes whose place is known (kept or given), then the new ones around the node they came from
  const pending = new Set([...unplaced, ...known.map((k) => k.id)]);
  st.nodes.update(scene.nodes.filter((r) => !pending.has(r.id)).map((r) => visNode(st, r)));
  if (known.length) { st.nodes.update(known); }
  if (unplaced.length) {
    const around = firstDraw ? [] : placeAround(st, data.anchor || "", unplaced);
    const at = new Map(around.map((p) => [p.id, p]));
    st.nodes.update(unplaced.map((id) => {
      const n = visNode(st, st.rows.get(id));
      const p = at.get(id);
      if (p) { n.x = p.x; n.y = p.y; }
      return n;
    }));
  }
  const inEdges = new Map(scene.edges.map((e) => [e.id, e]));
  const oldEdges = st.edges.getIds().filter((id) => !inEdges.has(id));
  if (oldEdges.length) { st.edges.remove(oldEdges); for (const id of oldEdges) { st.edgeRows.delete(id); } }
  for (const e of scene.edges) { st.edgeRows.set(e.id, e); }
  st.edges.update(scene.edges.map((e) => visEdge(st, e)));
  if (firstDraw) {
    // a scene that arrives without positions is laid out once, then frozen: later changes never move it
    st.network.setOptions({physics: {enabled: true, solver: "forceAtlas2Based",
      forceAtlas2Based: {gravitationalConstant: -90, springLength: 140, avoidOverlap: 0.6},
      stabilization: {enabled: true, iterations: 300, fit: true}}});
    st.network.stabilize(300);
    st.network.setOptions({physics: {enabled: false}});
    st.network.fit({animation: false});
  } else if (reset && scene.nodes.length) {
    st.network.fit({animation: false});
  }
  if (data.select && data.select.length) {
    const ids = data.select.filter((id) => st.rows.has(id));
    st.network.selectNodes(ids);
    if (data.focus && ids.length) { st.network.fit({nodes: Array.from(new Set([...ids, ...(data.path || [])])), animation: false, maxZoomLevel: 1.0}); }
  }
  renderLegend(st);
  showSuggestions(st, data.suggestions);
  st.bar.msg.textContent = data.message || "";
  updateBar(st);
  st.root.setAttribute("data-seq", String(data.seq));
  st.root.setAttribute("data-nodes", String(st.nodes.length));
  st.root.setAttribute("data-rev", String(data.rev || 0));
}

export default function (component) {
  const {parentElement, data, setTriggerValue} = component;
  let st = STATE.get(parentElement);
  if (!st) { st = init(parentElement, data); STATE.set(parentElement, st); }
  st.trigger = setTriggerValue;
  apply(st, data);
  return () => {
    const s = STATE.get(parentElement);
    if (s) { s.network.destroy(); s.root.remove(); STATE.delete(parentElement); }
  };
}
