// Embeddable chat for the city's website — one tag:
//   <script src="https://<gateway>/widget.js" async></script>
// Adds a floating button that opens the same chat (an iframe of the gateway's page) in a panel.
(function () {
  "use strict";
  if (window.__cdhtWidget) return;
  window.__cdhtWidget = true;
  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src).origin : window.location.origin;

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = "Hỏi đáp";
  button.setAttribute("aria-label", "Mở hỏi đáp Con đường hướng thiện");
  button.setAttribute("aria-expanded", "false");
  button.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483000;padding:12px 18px;" +
    "border:0;border-radius:24px;background:#0b5c8a;color:#fff;font:600 16px system-ui,sans-serif;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer;min-height:48px";

  var panel = document.createElement("div");
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", "Hỏi đáp Con đường hướng thiện");
  panel.hidden = true;
  panel.style.cssText = "position:fixed;right:16px;bottom:76px;z-index:2147483000;width:min(400px,calc(100vw - 32px));" +
    "height:min(640px,calc(100vh - 100px));border-radius:12px;overflow:hidden;background:#fff;" +
    "box-shadow:0 8px 30px rgba(0,0,0,.3)";

  var frame = null;
  function toggle() {
    var open = panel.hidden;
    if (open && !frame) {
      frame = document.createElement("iframe");
      frame.src = origin + "/?embed=1";
      frame.title = "Hỏi đáp Con đường hướng thiện";
      frame.style.cssText = "width:100%;height:100%;border:0";
      panel.appendChild(frame);
    }
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? "Đóng" : "Hỏi đáp";
  }
  button.addEventListener("click", toggle);
  document.addEventListener("keydown", function (event) { if (event.key === "Escape" && !panel.hidden) toggle(); });

  function mount() { document.body.appendChild(panel); document.body.appendChild(button); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
