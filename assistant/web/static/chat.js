// Chat page: sends what staff type (or say) to /api/chat, which goes through the Rasa bot, and shows the replies.
// Text is always inserted with textContent, so HTML in a message is shown, never run.
(function () {
  "use strict";
  var form = document.getElementById("chat-form");
  var input = document.getElementById("message");
  var list = document.getElementById("messages");
  var sendButton = document.getElementById("send");
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  var DRAFT = "assistant.chat.draft";
  var MAX_CHARS = Number(form.dataset.maxChars);  // Settings.max_message_chars, from the page

  function add(kind, text) {
    var row = document.createElement("div");
    row.className = "msg " + kind;
    var bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.textContent = text;
    row.appendChild(bubble);
    list.appendChild(row);
    list.scrollTop = list.scrollHeight;
    return row;
  }

  function addReply(reply) {
    var row = add("bot" + (reply.data && reply.data.customer ? " customer" : ""), reply.text);
    var tools = document.createElement("div");
    tools.className = "tools";
    (reply.buttons || []).forEach(function (b) {
      var chip = document.createElement("button");
      chip.type = "button";
      chip.className = "chip";
      chip.textContent = b.title;
      chip.addEventListener("click", function () { send(b.payload, b.title); });
      tools.appendChild(chip);
    });
    if (reply.data && reply.data.report && reply.data.drill_id) {
      var link = document.createElement("a");
      link.href = "/drills/" + reply.data.drill_id;
      link.className = "report-link";
      link.textContent = "查看逐句点评";
      tools.appendChild(link);
    }
    if (!reply.data || !reply.data.customer) {
      var copy = document.createElement("button");
      copy.type = "button";
      copy.className = "link copy";
      copy.textContent = "复制";
      copy.addEventListener("click", function () { window.assistantCopy(reply.text, copy); });
      tools.appendChild(copy);
    }
    row.appendChild(tools);
    if (reply.data && "drill_active" in reply.data) {
      form.dataset.drillActive = reply.data.drill_active ? "true" : "false";
    }
    if (reply.data && reply.data.scenario) form.dataset.persona = reply.data.scenario;
    if (reply.data && reply.data.customer) {
      document.dispatchEvent(new CustomEvent("assistant:reply", {
        detail: {text: reply.data.customer, persona: reply.data.scenario || form.dataset.persona, speak: true}}));
    }
  }

  function problem(text) {
    var row = add("system error", text);
    row.setAttribute("role", "alert");
  }

  function send(message, shown) {
    message = (message || "").trim();
    if (!message) { problem("请输入内容后再发送。"); return; }
    if (message.length > MAX_CHARS && message.charAt(0) !== "/") {
      problem("消息太长了(" + message.length + " 字),请控制在 " + MAX_CHARS + " 字以内,分几次说。");
      return;
    }
    add("me", shown || message);
    sendButton.disabled = true;
    sessionStorage.setItem(DRAFT, message);
    fetch("/api/chat", {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({message: message})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.status === 401) {
          problem("登录已过期。您的演练已保存,正在跳转到登录页,登录后可以接着练。");
          setTimeout(function () { window.location = "/login?next=/chat"; }, 1500);
          return;
        }
        if (!response.ok) {
          problem((body.error && body.error.message) || "发送失败,请稍后再试。");
          return;
        }
        sessionStorage.removeItem(DRAFT);
        (body.replies || []).forEach(addReply);
      });
    }).catch(function () {
      problem("网络连接中断,消息没有发出去,已保留在输入框里,请稍后重试。");
      input.value = message;
    }).finally(function () { sendButton.disabled = false; input.focus(); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  document.querySelectorAll("[data-say]").forEach(function (chip) {
    chip.addEventListener("click", function () { send(chip.dataset.say); });
  });
  // A message that was not answered before the session expired is offered again after signing back in.
  var draft = sessionStorage.getItem(DRAFT);
  if (draft) {
    input.value = draft;
    sessionStorage.removeItem(DRAFT);
    add("system", "上次没有发出去的消息已放回输入框,按发送即可继续。");
  }
  window.assistantChat = {send: send};
})();
