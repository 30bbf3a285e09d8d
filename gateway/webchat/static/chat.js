// The web chat page: POST /api/v1/chat, render answers, poll the history for officers' replies.
// Every piece of text goes in with textContent — never innerHTML.
(function () {
  "use strict";
  var STORAGE_KEY = "cdht.sender_id";
  var POLL_MS = 4000;
  var log = document.getElementById("log");
  var form = document.getElementById("form");
  var input = document.getElementById("text");
  var sendButton = document.getElementById("send");
  var typing = document.getElementById("typing");
  var statusLine = document.getElementById("status");
  var seen = {};          // message ids already shown
  var lastId = 0;
  var busy = false;

  function randomId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return "w" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function senderId() {
    var id = null;
    try { id = window.localStorage.getItem(STORAGE_KEY); } catch (e) { /* storage blocked */ }
    if (!id) {
      id = randomId();
      try { window.localStorage.setItem(STORAGE_KEY, id); } catch (e) { /* keep for this page only */ }
    }
    return id;
  }
  var sender = senderId();

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  // The answer's last bubble ends with its "Nguồn: …" line (every channel shows that); on the web the
  // documents are also linked there, once per answer, not under every bubble.
  function sourcesLine(meta, text) {
    var linked = ((meta && meta.sources) || []).filter(function (source) { return safeUrl(source.url); });
    if (!linked.length || !/(^|\n)Nguồn:/.test(text || "")) return null;
    var line = el("span", "msg__sources");
    line.appendChild(document.createTextNode("Đọc văn bản: "));
    linked.forEach(function (source, index) {
      if (index) line.appendChild(document.createTextNode("; "));
      var link = el("a", null, source.document + (source.article ? ", " + source.article : ""));
      link.href = safeUrl(source.url); link.target = "_blank"; link.rel = "noopener noreferrer";
      line.appendChild(link);
    });
    return line;
  }

  function showMessage(message, author) {
    if (message.id) {
      if (seen[message.id]) return;
      seen[message.id] = true;
      if (message.id > lastId) lastId = message.id;
    }
    var kind = message.meta && message.meta.kind;
    var who = author || (kind && kind !== "answer" ? "system" : "bot");
    var bubble = el("div", "msg msg--" + (who === "contact" ? "me" : who));
    if (who === "officer") bubble.appendChild(el("span", "msg__who", "Cán bộ"));
    bubble.appendChild(document.createTextNode(message.text || ""));
    var sources = sourcesLine(message.meta, message.text);
    if (sources) bubble.appendChild(sources);
    log.appendChild(bubble);
    var buttons = message.buttons || [];
    if (buttons.length && who !== "contact") {
      var group = el("div", "buttons");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Gợi ý");
      buttons.forEach(function (button) {
        var b = el("button", null, button.title);
        b.type = "button";
        b.addEventListener("click", function () { send(null, button.payload, button.title); });
        group.appendChild(b);
      });
      log.appendChild(group);
    }
    scrollDown();
  }

  function showConversation(conversation) {
    if (conversation && conversation.status === "human") {
      statusLine.textContent = conversation.officer
        ? "Cán bộ " + conversation.officer + " đang trò chuyện với bạn."
        : "Đang chờ cán bộ trả lời.";
      statusLine.hidden = false;
    } else {
      statusLine.hidden = true;
    }
  }

  function setBusy(on) {
    busy = on;
    typing.hidden = !on;
    sendButton.disabled = on;
    if (on) scrollDown();
  }

  function send(text, payload, shown) {
    if (busy) return;
    var body = { sender_id: sender, text: text, payload: payload || null, message_id: randomId() };
    showMessage({ text: shown || text }, "contact");
    setBusy(true);
    fetch("/api/v1/chat", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok) {
        showMessage({ text: (result.data.error && result.data.error.message) || "Có lỗi, bạn thử lại nhé." }, "system");
        return;
      }
      (result.data.messages || []).forEach(function (m) { showMessage(m); });
      showConversation(result.data.conversation);
    }).catch(function () {
      showMessage({ text: "Không gửi được. Bạn kiểm tra kết nối mạng rồi thử lại nhé. Nguy hiểm? Gọi 113." }, "system");
    }).then(function () { setBusy(false); input.focus(); });
  }

  function poll(initial) {
    if (busy && !initial) return;
    fetch("/api/v1/chat/" + encodeURIComponent(sender) + "/history?after=" + (initial ? 0 : lastId))
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        data.messages.forEach(function (m) {
          if (m.direction === "incoming") {
            if (initial) showMessage({ id: m.id, text: m.text }, "contact");
            else if (m.id > lastId) lastId = m.id;
            return;
          }
          showMessage(m, m.author === "officer" ? "officer" : null);
        });
        showConversation(data.conversation);
      }).catch(function () { /* next poll */ });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text, null);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  poll(true);
  window.setInterval(function () { if (!document.hidden) poll(false); }, POLL_MS);
})();
