// Shared by the console pages: the API client (session cookie + CSRF header) and safe DOM building.
"use strict";
const API = "/api/v1/officer";
const state = { csrf: null, me: null };

async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
  const response = await fetch(API + path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error((data.error && data.error.message) || ("Lỗi " + response.status));
    error.status = response.status;
    error.code = data.error && data.error.code;
    throw error;
  }
  return data;
}

// Every piece of data goes in as text: never innerHTML.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else if (key === "text") node.textContent = value;
    else node[key] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

function ago(seconds) {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 60) return seconds + " giây";
  if (seconds < 3600) return Math.floor(seconds / 60) + " phút";
  if (seconds < 86400) return Math.floor(seconds / 3600) + " giờ " + Math.floor((seconds % 3600) / 60) + " phút";
  return Math.floor(seconds / 86400) + " ngày";
}

function when(iso) { return iso ? new Date(iso).toLocaleString("vi-VN") : ""; }

const LABELS = {
  channel: { telegram: "Telegram", zalo: "Zalo", zalo_oa: "Zalo OA", messenger: "Messenger", webchat: "Web" },
  priority: { urgent: "KHẨN CẤP", high: "cao", normal: "bình thường", low: "thấp" },
  state: { bot: "bot trả lời", waiting: "đang chờ", assigned: "đã có cán bộ", resolved: "đã xong" },
  reason: { user_request: "người dân yêu cầu", fallback: "bot chưa hiểu", feedback: "chưa đúng ý",
            crisis: "nguy hiểm", engine_unavailable: "bot gián đoạn", officer: "cán bộ tiếp nhận" },
  delivery: { sent: "đã gửi", failed: "gửi lỗi", pending: "đang gửi", received: "", not_sent: "" },
};
function label(kind, value) { return (LABELS[kind] && LABELS[kind][value]) || value || ""; }
