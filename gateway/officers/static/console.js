// The officer console: queue, conversation, reply, notes; live through Server-Sent Events.
"use strict";
const $ = (id) => document.getElementById(id);
const desk = { view: "queue", current: null, detail: null, officers: [], units: [], canned: [], source: null };

async function start() {
  try {
    const me = await api("GET", "/me");
    signedIn(me);
  } catch (error) {
    showLogin();
  }
}

function showLogin() {
  $("login").hidden = false; $("desk").hidden = true; $("who").hidden = true;
}

async function signedIn(me) {
  state.csrf = me.csrf_token; state.me = me.officer;
  $("login").hidden = true; $("desk").hidden = false; $("who").hidden = false;
  $("who-name").textContent = me.officer.display_name + " (" + (me.officer.role === "admin" ? "quản trị" : "cán bộ") + ")";
  $("admin-link").hidden = me.officer.role !== "admin";
  [desk.officers, desk.units, desk.canned] = await Promise.all([
    api("GET", "/officers"), api("GET", "/units"), api("GET", "/canned-replies")]);
  fillSelects();
  connectEvents();
  await loadList();
}

function fillSelects() {
  const target = $("transfer-target"); clear(target);
  for (const o of desk.officers) if (o.id !== state.me.id) target.append(el("option", { value: "officer:" + o.id, text: "Cán bộ " + o.display_name }));
  for (const u of desk.units) if (u.active) target.append(el("option", { value: "unit:" + u.code, text: "Đơn vị " + u.name }));
  const canned = $("canned"); clear(canned); canned.append(el("option", { value: "", text: "—" }));
  for (const c of desk.canned) canned.append(el("option", { value: String(c.id), text: c.title }));
}

function connectEvents() {
  if (desk.source) desk.source.close();
  const source = new EventSource(API + "/events");
  desk.source = source;
  source.addEventListener("ready", () => { $("live").classList.add("on"); });
  source.addEventListener("conversation", (message) => {
    const event = JSON.parse(message.data);
    scheduleList();
    if (desk.current && event.conversation_id === desk.current) scheduleDetail();
  });
  source.onerror = () => { $("live").classList.remove("on"); };
}

// Bursts of events (one handoff emits several) refresh once.
let listTimer = null, detailTimer = null;
function scheduleList() { clearTimeout(listTimer); listTimer = setTimeout(loadList, 100); }
function scheduleDetail() { clearTimeout(detailTimer); detailTimer = setTimeout(loadDetail, 100); }

async function loadList() {
  let items;
  try { items = await api("GET", "/conversations?view=" + desk.view); }
  catch (error) { if (error.status === 401) return showLogin(); throw error; }
  const list = $("list"); clear(list);
  if (desk.view === "queue") $("queue-count").textContent = items.length ? "(" + items.length + ")" : "";
  if (!items.length) list.append(el("li", { class: "empty", text: "Không có cuộc trò chuyện nào." }));
  for (const item of items) {
    const li = el("li", { class: "item priority-" + item.priority + (item.id === desk.current ? " selected" : ""),
                          "data-testid": "queue-item", "data-id": item.id, tabIndex: 0 },
      el("strong", { text: label("priority", item.priority) }), " · ",
      el("span", { text: label("channel", item.channel) }), " · ",
      el("span", { text: item.topic || label("reason", item.handoff_reason) || "" }),
      el("br"),
      el("small", { text: [item.unit_name || item.unit_code || "chưa rõ đơn vị", item.ward ? "phường " + item.ward : null,
                           item.officer ? "cán bộ " + item.officer : label("state", item.state),
                           item.waiting_seconds !== null ? "chờ " + ago(item.waiting_seconds) : null]
                           .filter(Boolean).join(" · ") }));
    li.addEventListener("click", () => open(item.id));
    li.addEventListener("keydown", (e) => { if (e.key === "Enter") open(item.id); });
    list.append(li);
  }
}

async function open(id) {
  desk.current = id;
  $("d-error").textContent = ""; $("send-status").textContent = "";
  await loadDetail();
  for (const li of document.querySelectorAll("#list li")) li.classList.toggle("selected", li.dataset.id === id);
}

async function loadDetail() {
  if (!desk.current) return;
  let d;
  try { d = await api("GET", "/conversations/" + encodeURIComponent(desk.current)); }
  catch (error) { $("d-error").textContent = error.message; return; }
  desk.detail = d;
  const c = d.conversation;
  $("detail").hidden = false;
  $("d-title").textContent = (d.contact.display_name || "Người dân") + " — " + label("channel", c.channel);
  $("d-meta").textContent = ["Ưu tiên: " + label("priority", c.priority), "Trạng thái: " + label("state", c.state),
    c.handoff_reason ? "Lý do: " + label("reason", c.handoff_reason) : null, c.topic ? "Chủ đề: " + c.topic : null,
    "Đơn vị: " + (c.unit_name || c.unit_code || "chưa rõ"),
    "Phường: " + (d.contact.ward || "chưa rõ") + (d.contact.ward_candidates.length ? " (cần hỏi rõ: " + d.contact.ward_candidates.join(", ") + ")" : ""),
    c.officer ? "Cán bộ: " + c.officer : null].filter(Boolean).join(" · ");
  const w = d.reply_window;
  $("d-window").textContent = w.closes_at === null ? "Kênh này không giới hạn thời gian trả lời."
    : w.open ? "Còn " + ago(w.seconds_left) + " để trả lời qua kênh này (đến " + when(w.closes_at) + ")."
             + (w.free_until ? " Miễn phí đến " + when(w.free_until) + "." : "")
    : "Đã hết thời hạn trả lời của kênh (" + when(w.closes_at) + "): không gửi được.";
  $("d-window").className = "window" + (w.open ? "" : " closed");
  const mine = c.officer_id === state.me.id, admin = state.me.role === "admin";
  $("a-claim").hidden = c.state !== "waiting";
  $("a-take-over").hidden = !(c.state === "bot" || c.state === "resolved");
  $("a-resolve").hidden = $("a-hand-back").hidden = !(c.state === "waiting" || c.state === "assigned") || !(mine || admin || c.state === "waiting");
  $("send").disabled = !d.can_reply;
  $("send").title = d.can_reply ? "" : (w.open ? "Hãy nhận cuộc trò chuyện trước" : "Đã hết thời hạn trả lời");
  renderTranscript(d.messages);
}

function renderTranscript(messages) {
  const list = $("transcript"); clear(list);
  for (const m of messages) {
    const who = m.private ? "Ghi chú nội bộ · " + (m.officer || "")
      : m.direction === "activity" ? "Hệ thống"
      : m.author === "contact" ? "Người dân"
      : m.author === "officer" ? "Cán bộ " + (m.officer || "") : m.author === "bot" ? "Bot" : "Thông báo tự động";
    const li = el("li", { class: "msg " + m.direction + " author-" + m.author + (m.private ? " note" : ""),
                          "data-testid": "message", "data-id": String(m.id) },
      el("div", { class: "who", text: who + " · " + when(m.created_at) }),
      el("div", { class: "text", "data-testid": "message-text", text: m.text || m.payload || "" }));
    if (m.sources.length) {
      const sources = el("ul", { class: "sources" });
      for (const s of m.sources) {
        const line = [s.document, s.article].filter(Boolean).join(", ");
        sources.append(el("li", {}, s.url && /^https?:\/\//.test(s.url)
          ? el("a", { href: s.url, target: "_blank", rel: "noopener noreferrer", text: line }) : line));
      }
      li.append(el("div", { class: "who", text: "Nguồn:" }), sources);
    }
    const delivered = label("delivery", m.delivery_status);
    if (m.direction === "outgoing" && delivered) {
      li.append(el("div", { class: "delivery " + m.delivery_status, "data-testid": "delivery",
                            text: delivered + (m.external_error ? " — " + m.external_error : "") }));
    }
    list.append(li);
  }
  list.scrollTop = list.scrollHeight;
}

async function act(path, body) {
  $("d-error").textContent = "";
  try { await api("POST", "/conversations/" + encodeURIComponent(desk.current) + path, body); }
  catch (error) { $("d-error").textContent = error.message; }
  await Promise.all([loadDetail(), loadList()]);
}

function wire() {
  $("login-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("login-error").textContent = "";
    try {
      const me = await api("POST", "/session", { username: $("username").value, password: $("password").value });
      $("password").value = "";
      await signedIn(me);
    } catch (error) { $("login-error").textContent = error.message; }
  });
  $("sign-out").addEventListener("click", async () => {
    try { await api("DELETE", "/session"); } finally { if (desk.source) desk.source.close(); location.reload(); }
  });
  for (const tab of document.querySelectorAll(".tabs button")) {
    tab.addEventListener("click", () => {
      desk.view = tab.dataset.view;
      for (const t of document.querySelectorAll(".tabs button")) t.classList.toggle("active", t === tab);
      loadList();
    });
  }
  $("a-claim").addEventListener("click", () => act("/claim"));
  $("a-take-over").addEventListener("click", () => act("/take-over"));
  $("a-resolve").addEventListener("click", () => act("/resolve"));
  $("a-hand-back").addEventListener("click", () => act("/hand-back"));
  $("a-transfer").addEventListener("click", () => {
    const [kind, value] = $("transfer-target").value.split(":");
    act("/transfer", kind === "officer" ? { officer_id: Number(value) } : { unit_code: value });
  });
  $("a-ward").addEventListener("click", async () => {
    $("d-error").textContent = "";
    try { await api("PUT", "/conversations/" + encodeURIComponent(desk.current) + "/ward", { ward: $("ward").value }); }
    catch (error) { $("d-error").textContent = error.message; }
    await Promise.all([loadDetail(), loadList()]);
  });
  $("a-export").addEventListener("click", async () => {
    const data = await api("GET", "/conversations/" + encodeURIComponent(desk.current) + "/export");
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
    const link = el("a", { href: URL.createObjectURL(blob), download: "cuoc-tro-chuyen-" + desk.current + ".json" });
    link.click(); URL.revokeObjectURL(link.href);
  });
  $("canned").addEventListener("change", () => {
    const chosen = desk.canned.find((c) => String(c.id) === $("canned").value);
    if (chosen) $("reply-text").value = chosen.text;
  });
  $("reply-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = $("reply-text").value.trim();
    if (!text) return;
    $("send-status").textContent = "Đang gửi…"; $("d-error").textContent = "";
    try {
      const m = await api("POST", "/conversations/" + encodeURIComponent(desk.current) + "/messages", { text });
      $("reply-text").value = "";
      $("send-status").textContent = m.delivery_status === "sent" ? "Đã gửi tới người dân."
        : "Gửi lỗi: " + (m.external_error || "không rõ");
    } catch (error) { $("send-status").textContent = ""; $("d-error").textContent = error.message; }
    await loadDetail();
  });
  $("add-note").addEventListener("click", async () => {
    const text = $("reply-text").value.trim();
    if (!text) return;
    try { await api("POST", "/conversations/" + encodeURIComponent(desk.current) + "/notes", { text }); $("reply-text").value = ""; }
    catch (error) { $("d-error").textContent = error.message; }
    await loadDetail();
  });
  // Wait times move on even without events.
  setInterval(() => { if (!$("desk").hidden) loadList(); }, 30000);
}

document.addEventListener("DOMContentLoaded", () => { wire(); start(); });
