// Voice for the chat and drill pages: push-to-talk (hold a [data-ptt] button, speak, release: the text lands in
// #message, or is sent at once in hands-free mode) and speaking the customer's lines with the browser's own voices.
// Works on any page that has the elements it looks for; does nothing where they are missing.
(function () {
  "use strict";
  var MAX_SECONDS = 60; // the server refuses longer recordings (assistant/voice/asr.py MAX_SECONDS)
  var MIN_MS = 400; // shorter than this is a tap, not speech
  var NO_CHINESE_VOICE = "此浏览器没有中文语音,客户的话以文字显示";

  // Scenario id -> how the customer sounds: {gender, pitch, rate} for speechSynthesis (1 = the voice's normal; gender
  // is the voice to prefer when several Chinese voices exist). The server renders it from persona.voice in
  // scripts_kb/scenarios/*.yaml into #persona-voices; the default (as assistant/content/scenario.py Voice) is for a
  // page without it or a scenario it does not know.
  var DEFAULT_PERSONA = {pitch: 1, rate: 1, gender: null};
  var PERSONA_VOICES = readPersonaVoices();
  // Names of common zh-CN voices (Windows, macOS, Android, Edge online voices) by the gender they sound.
  var MALE = /kangkang|yunxi|yunjian|yunyang|yunze|yunfeng|yunhao|male|男/i;
  var FEMALE = /huihui|yaoyao|xiaoxiao|xiaoyi|xiaohan|xiaomo|tingting|lili|female|女/i;

  var statusBox = document.getElementById("voice-status");
  var input = document.getElementById("message");
  var form = document.getElementById("chat-form");
  var csrfMeta = document.querySelector("meta[name=csrf-token]");

  function status(text, isError) {
    if (!statusBox) return;
    statusBox.textContent = text || "";
    statusBox.classList.toggle("error", !!isError);
  }

  // ---- push-to-talk -------------------------------------------------------------------------------------------

  var rec = null; // {button, stream, recorder, chunks, started, released, timer}

  function recorderOptions() {
    var type = "audio/webm;codecs=opus";
    if (window.MediaRecorder && MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(type)) {
      return {mimeType: type, audioBitsPerSecond: 32000}; // about 0.25 MB a minute, plenty for speech
    }
    return {}; // Safari records mp4/aac: the server decodes that too
  }

  function microphoneProblem(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") return "没有麦克风权限:请在浏览器地址栏允许使用麦克风后再试。";
    if (name === "NotFoundError" || name === "OverconstrainedError") return "没有找到麦克风,请接好麦克风后再试,或用文字输入。";
    if (name === "NotReadableError") return "麦克风被其他程序占用了,请关闭后再试。";
    return "无法打开麦克风,请用文字输入。";
  }

  function start(button) {
    if (rec || button.disabled) return;
    if (window.speechSynthesis) window.speechSynthesis.cancel(); // staff talking over the customer stops them
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) {
      status("此浏览器无法录音(需要 HTTPS 或本机访问),请用文字输入。", true);
      return;
    }
    var current = rec = {button: button, chunks: [], released: false, started: 0};
    button.classList.add("recording");
    button.setAttribute("aria-pressed", "true");
    status("正在打开麦克风…");
    navigator.mediaDevices.getUserMedia({audio: {channelCount: 1, echoCancellation: true, noiseSuppression: true}})
      .then(function (stream) {
        current.stream = stream;
        if (current.released) { finish(current, "按住按钮说话,说完再松开。"); return; }
        var recorder = current.recorder = new MediaRecorder(stream, recorderOptions());
        recorder.addEventListener("dataavailable", function (e) { if (e.data && e.data.size) current.chunks.push(e.data); });
        recorder.addEventListener("stop", function () { recorded(current); });
        recorder.start();
        current.started = Date.now();
        current.timer = setTimeout(function () {
          status("已录满 " + MAX_SECONDS + " 秒,自动结束。");
          stop(button);
        }, MAX_SECONDS * 1000 - 500);
        status("正在录音…松开结束");
      })
      .catch(function (error) { finish(current, microphoneProblem(error), true); });
  }

  function stop(button) {
    var current = rec;
    if (!current || current.button !== button || current.released) return;
    current.released = true;
    clearTimeout(current.timer);
    if (current.recorder && current.recorder.state !== "inactive") current.recorder.stop(); // -> recorded()
  }

  function finish(current, message, isError) {
    if (current.stream) current.stream.getTracks().forEach(function (t) { t.stop(); });
    current.button.classList.remove("recording");
    current.button.setAttribute("aria-pressed", "false");
    if (rec === current) rec = null;
    if (message !== undefined) status(message, isError);
  }

  function recorded(current) {
    var held = Date.now() - current.started;
    var type = (current.recorder && current.recorder.mimeType) || "audio/webm";
    var blob = new Blob(current.chunks, {type: type});
    finish(current);
    if (held < MIN_MS || !blob.size) {
      status("录音太短了:请按住按钮说话,说完再松开。", true);
      return;
    }
    upload(blob, current.button);
  }

  function extension(type) {
    if (/ogg/.test(type)) return "ogg";
    if (/mp4|aac|m4a/.test(type)) return "m4a";
    if (/wav/.test(type)) return "wav";
    return "webm";
  }

  function upload(blob, button) {
    var body = new FormData();
    body.append("audio", blob, "speech." + extension(blob.type));
    if (form && form.dataset.drillActive === "true" && form.dataset.persona) {
      body.append("scenario", form.dataset.persona); // the drill's own words help recognition
    }
    var headers = {};
    if (csrfMeta) headers["X-CSRFToken"] = csrfMeta.content;
    status("正在识别…");
    button.disabled = true;
    fetch("/api/asr", {method: "POST", credentials: "same-origin", headers: headers, body: body})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.status === 401) { status("登录已过期,请刷新页面重新登录。", true); return; }
          if (!response.ok || typeof data.text !== "string") {
            status((data.error && data.error.message) || "识别失败,请稍后再试。", true);
            return;
          }
          recognised(data.text);
        });
      })
      .catch(function () { status("网络连接中断,这段录音没有识别,请再说一次。", true); })
      .finally(function () { button.disabled = false; });
  }

  function recognised(text) {
    if (!input) { status("识别结果:" + text); return; }
    input.value = input.value.trim() ? input.value.replace(/\s+$/, "") + text : text;
    input.dispatchEvent(new Event("input", {bubbles: true}));
    var handsFree = document.getElementById("hands-free");
    if (handsFree && handsFree.checked && form) {
      status("");
      form.requestSubmit();
    } else {
      status("已识别,可以修改后发送。");
      input.focus();
    }
  }

  function bind(button) {
    button.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) return;
      e.preventDefault();
      if (button.setPointerCapture) button.setPointerCapture(e.pointerId); // release outside still ends it
      start(button);
    });
    ["pointerup", "pointercancel", "lostpointercapture"].forEach(function (type) {
      button.addEventListener(type, function () { stop(button); });
    });
    button.addEventListener("keydown", function (e) {
      if (e.code !== "Space" && e.key !== " ") return;
      e.preventDefault();
      if (!e.repeat) start(button);
    });
    button.addEventListener("keyup", function (e) {
      if (e.code !== "Space" && e.key !== " ") return;
      e.preventDefault();
      stop(button);
    });
    button.addEventListener("blur", function () { stop(button); });
    button.addEventListener("contextmenu", function (e) { e.preventDefault(); }); // long press on touch screens
  }

  document.querySelectorAll("[data-ptt]").forEach(bind);

  // ---- speaking the customer ----------------------------------------------------------------------------------

  function readPersonaVoices() {
    var element = document.getElementById("persona-voices");
    if (!element) return {};
    try {
      return JSON.parse(element.textContent) || {};
    } catch (e) {
      return {}; // a broken block only costs the persona voices, not push-to-talk
    }
  }

  function personaSettings(persona) {
    var p = Object.prototype.hasOwnProperty.call(PERSONA_VOICES, persona) ? PERSONA_VOICES[persona] : DEFAULT_PERSONA;
    return {
      pitch: typeof p.pitch === "number" ? p.pitch : DEFAULT_PERSONA.pitch,
      rate: typeof p.rate === "number" ? p.rate : DEFAULT_PERSONA.rate,
      gender: p.gender || null
    };
  }

  function isChinese(voice) {
    return /^(zh|cmn)([-_]|$)/i.test(voice.lang || "");
  }

  function voices() {
    return window.speechSynthesis ? window.speechSynthesis.getVoices().filter(isChinese) : [];
  }

  // The best Chinese voice for a persona: mainland Mandarin first, then one whose name fits the persona's gender.
  function pickVoice(persona, list) {
    var wanted = personaSettings(persona).gender;
    var best = null, bestScore = -1;
    (list || voices()).forEach(function (voice) {
      if (!isChinese(voice)) return;
      var lang = (voice.lang || "").replace("_", "-").toLowerCase();
      var score = /^(zh-cn|cmn-cn|cmn-hans-cn|zh-hans-cn)$/.test(lang) ? 4 : /hk|yue/.test(lang) ? 0 : 2;
      if (wanted === "male" && MALE.test(voice.name)) score += 2;
      if (wanted === "female" && FEMALE.test(voice.name)) score += 2;
      if (voice.localService) score += 0.5; // no network round trip before the first word
      if (score > bestScore) { best = voice; bestScore = score; }
    });
    return best;
  }

  // Chrome fills the voice list asynchronously: wait for it briefly the first time.
  function loadedVoices() {
    return new Promise(function (resolve) {
      if (!window.speechSynthesis) { resolve([]); return; }
      var list = voices();
      if (list.length || window.speechSynthesis.getVoices().length) { resolve(list); return; }
      var done = false;
      function ready() { if (!done) { done = true; resolve(voices()); } }
      window.speechSynthesis.addEventListener("voiceschanged", ready, {once: true});
      setTimeout(ready, 1000);
    });
  }

  function speak(text, persona) {
    return loadedVoices().then(function (list) {
      var voice = pickVoice(persona, list);
      if (!voice) { status(NO_CHINESE_VOICE); return false; }
      var settings = personaSettings(persona);
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.pitch = settings.pitch;
      utterance.rate = settings.rate;
      window.speechSynthesis.cancel(); // a new reply replaces one still being read
      window.speechSynthesis.speak(utterance);
      return true;
    });
  }

  document.addEventListener("assistant:reply", function (e) {
    var detail = e.detail || {};
    var box = document.getElementById("speak-replies");
    if (!detail.speak || !detail.text || !box || !box.checked) return;
    speak(detail.text, detail.persona);
  });

  window.assistantVoice = {
    voices: voices, pickVoice: pickVoice, personaSettings: personaSettings, speak: speak,
    recording: function () { return !!rec; }
  };
})();
