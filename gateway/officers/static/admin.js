// Admin page: officers, units, canned replies, the audit log. Data goes into the DOM as text only.
"use strict";
const $ = (id) => document.getElementById(id);
const show = (error) => { $("error").textContent = error ? error.message : ""; };

async function load() {
  const me = await api("GET", "/me");
  state.csrf = me.csrf_token; state.me = me.officer;
  const [officers, units, canned, audit] = await Promise.all([
    api("GET", "/officers"), api("GET", "/units"), api("GET", "/canned-replies"), api("GET", "/audit")]);
  const unitSelect = $("o-unit"); clear(unitSelect); unitSelect.append(el("option", { value: "", text: "(không đơn vị)" }));
  for (const u of units) unitSelect.append(el("option", { value: u.code, text: u.name }));

  const rows = $("officers"); clear(rows);
  for (const o of officers) {
    const toggle = el("button", { type: "button", text: o.active ? "Khóa" : "Mở lại" });
    toggle.addEventListener("click", () => change(() => api("PATCH", "/officers/" + o.id, { active: !o.active })));
    const unlock = el("button", { type: "button", text: "Bỏ khóa đăng nhập", hidden: !o.locked });
    unlock.addEventListener("click", () => change(() => api("PATCH", "/officers/" + o.id, { unlock: true })));
    rows.append(el("tr", {}, el("td", { text: o.username }), el("td", { text: o.display_name }),
      el("td", { text: o.role === "admin" ? "quản trị" : "cán bộ" }), el("td", { text: o.unit_code || "" }),
      el("td", { text: (o.active ? "hoạt động" : "đã khóa") + (o.locked ? " · tạm khóa do sai mật khẩu" : "") }),
      el("td", {}, toggle, unlock)));
  }
  const unitRows = $("units"); clear(unitRows);
  for (const u of units) unitRows.append(el("tr", {}, el("td", { text: u.code }), el("td", { text: u.name }),
    el("td", { text: u.wards.join(", ") }), el("td", { text: u.is_default ? "✓" : "" })));
  const cannedList = $("canned"); clear(cannedList);
  for (const c of canned) {
    const remove = el("button", { type: "button", text: "Xóa" });
    remove.addEventListener("click", () => change(() => api("DELETE", "/canned-replies/" + c.id)));
    cannedList.append(el("li", {}, el("strong", { text: c.title }), " — ", c.text, " ", remove));
  }
  const auditRows = $("audit"); clear(auditRows);
  for (const a of audit) auditRows.append(el("tr", {}, el("td", { text: when(a.created_at) }),
    el("td", { text: a.username || "" }), el("td", { text: a.action }), el("td", { text: a.conversation_id || "" }),
    el("td", { text: a.ip || "" })));
}

async function change(step) {
  show(null);
  try { await step(); } catch (error) { show(error); }
  await load();
}

document.addEventListener("DOMContentLoaded", () => {
  $("officer-form").addEventListener("submit", (e) => { e.preventDefault(); change(() => api("POST", "/officers", {
    username: $("o-username").value, display_name: $("o-name").value, password: $("o-password").value,
    role: $("o-role").value, unit_code: $("o-unit").value || null })); });
  $("unit-form").addEventListener("submit", (e) => { e.preventDefault(); const code = $("u-code").value;
    change(() => api("PUT", "/units/" + encodeURIComponent(code), { code, name: $("u-name").value,
      wards: $("u-wards").value.split(",").map((w) => w.trim()).filter(Boolean), is_default: $("u-default").checked })); });
  $("canned-form").addEventListener("submit", (e) => { e.preventDefault(); change(() => api("POST", "/canned-replies", {
    title: $("c-title").value, text: $("c-text").value })); });
  load().catch(show);
});
