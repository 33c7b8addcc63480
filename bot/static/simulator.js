/* WeChat chat simulator: talks to POST /simulator/api/send, renders the decoded replies.
 * Reply text is only ever put into the page with textContent, never as HTML. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("sim-config").textContent);
  var STORAGE_KEY = "wechat-simulator.openid";
  var TIME_GAP_MS = 5 * 60 * 1000;

  function $(id) { return document.getElementById(id); }

  var chat = $("chat");
  var input = $("message-input");
  var openidInput = $("openid-input");
  var title = $("chat-title");
  var plusPanel = $("plus-panel");
  var plusButton = $("plus-button");
  var backdrop = $("sheet-backdrop");
  var lastTimeShown = 0;

  /* ---------- helpers ---------- */

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function randomId(length) {
    var chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
    var bytes = new Uint8Array(length);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < length; i++) { bytes[i] = Math.floor(Math.random() * 256); }
    }
    var out = "";
    for (var j = 0; j < length; j++) { out += chars[bytes[j] % chars.length]; }
    return out;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function clockText(date) { return date.getHours() + ":" + pad(date.getMinutes()); }

  function isHttpUrl(value) { return /^https?:\/\//i.test(String(value || "")); }

  /* ---------- openid (kept in localStorage so a reload keeps the same user) ---------- */

  function storeOpenid(value) {
    try { window.localStorage.setItem(STORAGE_KEY, value); } catch (e) { /* storage disabled */ }
  }

  function loadOpenid() {
    var value = "";
    try { value = window.localStorage.getItem(STORAGE_KEY) || ""; } catch (e) { value = ""; }
    if (!value) {
      value = "o_sim_" + randomId(16);
      storeOpenid(value);
    }
    return value;
  }

  function currentOpenid() {
    var value = openidInput.value.trim();
    if (!value) {
      value = "o_sim_" + randomId(16);
      openidInput.value = value;
      storeOpenid(value);
    }
    return value;
  }

  openidInput.value = loadOpenid();
  openidInput.addEventListener("change", function () {
    var value = openidInput.value.trim();
    if (value) { storeOpenid(value); }
  });
  $("new-openid-button").addEventListener("click", function () {
    var value = "o_sim_" + randomId(16);
    openidInput.value = value;
    storeOpenid(value);
    clearChat();
    systemNote("已切换为新用户 " + value);
  });

  /* ---------- chat rendering ---------- */

  function scrollToBottom() { chat.scrollTop = chat.scrollHeight; }

  function maybeTimeLabel() {
    var now = Date.now();
    if (now - lastTimeShown > TIME_GAP_MS) {
      chat.appendChild(el("div", "time-label", clockText(new Date(now))));
      lastTimeShown = now;
    }
  }

  function systemNote(text, extraClass) {
    maybeTimeLabel();
    var note = el("div", "system-note" + (extraClass ? " " + extraClass : ""), text);
    chat.appendChild(note);
    scrollToBottom();
    return note;
  }

  /* A chat row: avatar plus one bubble; who is "user" or "bot". */
  function messageRow(who, bubbleClass) {
    maybeTimeLabel();
    var row = el("div", "msg " + who);
    var avatar = el("div", "avatar " + who, who === "user" ? "我" : "质");
    avatar.setAttribute("aria-hidden", "true");
    var bubble = el("div", "bubble " + who + (bubbleClass ? " " + bubbleClass : ""));
    row.appendChild(avatar);
    row.appendChild(bubble);
    chat.appendChild(row);
    return bubble;
  }

  function textBubble(who, text) {
    var bubble = messageRow(who, "text");
    bubble.textContent = text;
    scrollToBottom();
    return bubble;
  }

  function mediaPlaceholder(label, detail) {
    var box = el("div", "media-placeholder");
    box.appendChild(el("span", "media-icon"));
    box.appendChild(el("span", "media-label", label));
    if (detail) { box.appendChild(el("span", "media-detail", detail)); }
    return box;
  }

  function renderUserImage(mediaId) {
    var bubble = messageRow("user", "image");
    bubble.appendChild(mediaPlaceholder("图片", mediaId));
    scrollToBottom();
  }

  function renderUserVoice(recognition) {
    var bubble = messageRow("user", "voice");
    var line = el("div", "voice-line");
    line.appendChild(el("span", "voice-length", "3″"));
    line.appendChild(el("span", "voice-waves"));
    bubble.appendChild(line);
    if (recognition) { bubble.appendChild(el("div", "voice-text", recognition)); }
    scrollToBottom();
  }

  function renderUserVideo(mediaId) {
    var bubble = messageRow("user", "image");
    bubble.appendChild(mediaPlaceholder("视频", mediaId));
    scrollToBottom();
  }

  function renderUserLocation(lat, lng, label) {
    var bubble = messageRow("user", "card location-card");
    bubble.appendChild(el("div", "card-title", label || "位置"));
    bubble.appendChild(el("div", "card-desc", lat + ", " + lng));
    var map = el("div", "map-placeholder");
    map.appendChild(el("span", "map-pin"));
    bubble.appendChild(map);
    scrollToBottom();
  }

  function renderUserLink(titleText, description, url) {
    var bubble = messageRow("user", "card link-card");
    bubble.appendChild(el("div", "card-title", titleText));
    var body = el("div", "card-body");
    body.appendChild(el("div", "card-desc", description || url));
    body.appendChild(el("div", "card-thumb link-thumb"));
    bubble.appendChild(body);
    bubble.appendChild(el("div", "card-source", url));
    scrollToBottom();
  }

  function articleImage(src) {
    var wrap = el("div", "card-thumb");
    if (isHttpUrl(src) || /^\//.test(String(src || ""))) {
      var img = document.createElement("img");
      img.alt = "";
      img.loading = "lazy";
      img.referrerPolicy = "no-referrer";
      img.addEventListener("error", function () { img.remove(); wrap.classList.add("broken"); });
      img.src = src;
      wrap.appendChild(img);
    } else {
      wrap.classList.add("broken");
    }
    return wrap;
  }

  function renderNews(articles) {
    if (!articles || !articles.length) {
      systemNote("（图文消息没有文章）", "faint");
      return;
    }
    var bubble = messageRow("bot", "card news-card");
    articles.forEach(function (article, index) {
      var item = isHttpUrl(article.url) ? el("a", "news-item") : el("div", "news-item");
      if (item.tagName === "A") {
        item.href = article.url;
        item.target = "_blank";
        item.rel = "noopener noreferrer";
      }
      if (articles.length === 1) {
        item.appendChild(el("div", "card-title", article.title || "（无标题）"));
        var body = el("div", "card-body");
        body.appendChild(el("div", "card-desc", article.description || ""));
        if (article.image) { body.appendChild(articleImage(article.image)); }
        item.appendChild(body);
      } else if (index === 0) {
        item.classList.add("news-cover");
        var cover = articleImage(article.image);
        cover.classList.add("cover");
        item.appendChild(cover);
        item.appendChild(el("div", "cover-title", article.title || "（无标题）"));
      } else {
        item.classList.add("news-row");
        item.appendChild(el("div", "card-title", article.title || "（无标题）"));
        if (article.image) { item.appendChild(articleImage(article.image)); }
      }
      bubble.appendChild(item);
    });
    scrollToBottom();
  }

  var KIND_LABELS = { voice: "语音", video: "视频", music: "音乐" };

  function renderReply(data) {
    switch (data.kind) {
      case "text":
        textBubble("bot", data.text || "");
        break;
      case "news":
        renderNews(data.articles);
        break;
      case "image": {
        var bubble = messageRow("bot", "image");
        bubble.appendChild(mediaPlaceholder("图片", data.media_id || ""));
        scrollToBottom();
        break;
      }
      case "none":
        systemNote("（无回复）", "faint no-reply");
        break;
      case "error":
        systemNote("请求失败：HTTP " + data.status + (data.text ? " " + data.text : ""), "error");
        break;
      default:
        if (KIND_LABELS[data.kind]) {
          var media = messageRow("bot", "image");
          media.appendChild(mediaPlaceholder(KIND_LABELS[data.kind], data.media_id || ""));
          scrollToBottom();
        } else {
          systemNote("（收到 " + (data.kind || "未知") + " 类型的回复，模拟器不展示）", "faint");
        }
    }
  }

  function clearChat() {
    while (chat.firstChild) { chat.removeChild(chat.firstChild); }
    lastTimeShown = 0;
  }

  $("clear-button").addEventListener("click", clearChat);

  /* ---------- debug panel ---------- */

  function setEncrypted(on) {
    var text = on ? "安全模式（已加密）" : "明文模式";
    var facts = $("debug-encrypted");
    facts.textContent = text;
    facts.setAttribute("data-encrypted", on ? "true" : "false");
    var badge = $("safe-mode");
    badge.setAttribute("data-encrypted", on ? "true" : "false");
    badge.classList.toggle("on", on);
    badge.classList.toggle("off", !on);
    badge.textContent = on ? "安全模式：已开启（AES 加密）" : "安全模式：未开启（明文模式）";
  }

  function showDebug(data) {
    $("debug-request").textContent = data.request_xml || "（无）";
    $("debug-reply").textContent = data.reply_xml || "（空）";
    $("debug-status").textContent = "HTTP " + data.status + " · " + (data.kind || "?");
    if (typeof data.encrypted === "boolean") { setEncrypted(data.encrypted); }
  }

  /* ---------- talking to the API (one request at a time, in order) ---------- */

  var queue = Promise.resolve();
  var pending = 0;

  function setTyping(on) {
    title.textContent = on ? "对方正在输入..." : title.getAttribute("data-name");
    title.classList.toggle("typing", on);
  }

  function post(body) {
    return fetch(config.api, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        if (!response.ok || !data) {
          var message = data && data.error ? data.error : response.statusText;
          return { status: response.status, kind: "error", text: message,
                   request_xml: "", reply_xml: "" };
        }
        return data;
      });
    });
  }

  function send(payload) {
    var body = Object.assign({ openid: currentOpenid() }, payload);
    pending += 1;
    setTyping(true);
    queue = queue.then(function () { return post(body); }).then(function (data) {
      showDebug(data);
      renderReply(data);
    }, function (error) {
      systemNote("网络错误：" + (error && error.message ? error.message : error), "error");
    }).then(function () {
      pending -= 1;
      if (!pending) { setTyping(false); }
    });
    return queue;
  }

  function sendEvent(event, key, extra) {
    var payload = { type: "event", Event: event };
    if (key) { payload.EventKey = key; }
    return send(Object.assign(payload, extra || {}));
  }

  /* ---------- text input ---------- */

  $("input-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) { input.focus(); return; }
    input.value = "";
    closeMenus();
    textBubble("user", text);
    send({ type: "text", Content: text });
    input.focus();
  });

  /* ---------- follow / unfollow ---------- */

  $("follow-button").addEventListener("click", function () {
    systemNote("你已关注“" + config.account + "”");
    sendEvent("subscribe");
  });
  $("unfollow-button").addEventListener("click", function () {
    systemNote("你已取消关注“" + config.account + "”");
    sendEvent("unsubscribe");
  });

  /* ---------- custom menu ---------- */

  var PASSIVE_TYPES = {
    scancode_push: "scancode_push", scancode_waitmsg: "scancode_waitmsg",
    pic_sysphoto: "pic_sysphoto", pic_photo_or_album: "pic_photo_or_album",
    pic_weixin: "pic_weixin", location_select: "location_select",
  };

  function closeMenus(except) {
    document.querySelectorAll(".menu-popup").forEach(function (popup) {
      if (popup === except) { return; }
      popup.hidden = true;
      var owner = popup.parentElement.querySelector(".menu-button");
      if (owner) { owner.setAttribute("aria-expanded", "false"); }
    });
  }

  function menuAction(button) {
    var type = button.getAttribute("data-type");
    var key = button.getAttribute("data-key");
    var url = button.getAttribute("data-url");
    var name = button.getAttribute("data-name");
    closeMenus();
    if (type === "click") {
      systemNote("点击菜单「" + name + "」", "faint");
      sendEvent("CLICK", key);
    } else if (type === "view") {
      systemNote("打开网页 " + url, "faint");
      sendEvent("VIEW", url);
    } else if (type === "miniprogram") {
      systemNote("打开小程序 " + (button.getAttribute("data-pagepath") || ""), "faint");
      sendEvent("view_miniprogram", button.getAttribute("data-pagepath") || url);
    } else if (PASSIVE_TYPES[type]) {
      systemNote("菜单事件 " + type + "「" + name + "」", "faint");
      sendEvent(PASSIVE_TYPES[type], key);
    } else {
      systemNote("菜单类型 " + (type || "（未设置）") + " 不会推送事件到服务器", "faint");
    }
  }

  document.querySelectorAll(".menu-button").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.stopPropagation();
      hidePlusPanel();
      var popup = button.parentElement.querySelector(".menu-popup");
      if (!popup) { menuAction(button); return; }
      var opening = popup.hidden;
      closeMenus(popup);
      popup.hidden = !opening;
      button.setAttribute("aria-expanded", opening ? "true" : "false");
    });
  });
  document.querySelectorAll(".menu-sub-button").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.stopPropagation();
      menuAction(button);
    });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".menu-slot")) { closeMenus(); }
  });

  /* ---------- "+" panel and its forms ---------- */

  function hidePlusPanel() {
    plusPanel.hidden = true;
    plusButton.setAttribute("aria-expanded", "false");
  }

  plusButton.addEventListener("click", function (event) {
    event.stopPropagation();
    closeMenus();
    plusPanel.hidden = !plusPanel.hidden;
    plusButton.setAttribute("aria-expanded", plusPanel.hidden ? "false" : "true");
    if (!plusPanel.hidden) { scrollToBottom(); }
  });

  var openSheet = null;

  function showSheet(id) {
    hideSheet();
    openSheet = $(id);
    backdrop.hidden = false;
    openSheet.hidden = false;
    var first = openSheet.querySelector("input");
    if (first) { first.focus(); first.select(); }
  }

  function hideSheet() {
    if (openSheet) { openSheet.hidden = true; }
    openSheet = null;
    backdrop.hidden = true;
  }

  backdrop.addEventListener("click", hideSheet);
  document.querySelectorAll(".sheet-cancel").forEach(function (button) {
    button.addEventListener("click", hideSheet);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { hideSheet(); closeMenus(); hidePlusPanel(); }
  });

  plusPanel.addEventListener("click", function (event) {
    var item = event.target.closest(".plus-item");
    if (!item) { return; }
    var action = item.getAttribute("data-action");
    hidePlusPanel();
    if (action === "image") {
      var mediaId = "sim_media_" + randomId(20);
      renderUserImage(mediaId);
      send({ type: "image", PicUrl: "http://mmbiz.qpic.cn/mmbiz_jpg/sim_" + randomId(12) + "/0",
             MediaId: mediaId });
    } else if (action === "video") {
      var videoId = "sim_video_" + randomId(20);
      renderUserVideo(videoId);
      send({ type: "video", MediaId: videoId, ThumbMediaId: "sim_thumb_" + randomId(20) });
    } else {
      showSheet(action + "-form");
    }
  });

  function readLocation() {
    var lat = parseFloat($("location-lat").value);
    var lng = parseFloat($("location-lng").value);
    if (!isFinite(lat) || !isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
      systemNote("经纬度无效", "error");
      return null;
    }
    return { lat: lat, lng: lng, label: $("location-label").value.trim(),
             scale: parseInt($("location-scale").value, 10) || 15 };
  }

  $("location-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var loc = readLocation();
    if (!loc) { return; }
    hideSheet();
    renderUserLocation(loc.lat, loc.lng, loc.label);
    send({ type: "location", Location_X: loc.lat, Location_Y: loc.lng, Scale: loc.scale,
           Label: loc.label });
  });

  $("location-event-submit").addEventListener("click", function () {
    var loc = readLocation();
    if (!loc) { return; }
    hideSheet();
    systemNote("上报地理位置 " + loc.lat + ", " + loc.lng, "faint");
    sendEvent("LOCATION", null, { Latitude: loc.lat, Longitude: loc.lng, Precision: 30 });
  });

  $("voice-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var recognition = $("voice-text").value.trim();
    hideSheet();
    renderUserVoice(recognition);
    var payload = { type: "voice", MediaId: "sim_voice_" + randomId(20), Format: "amr" };
    if (recognition) { payload.Recognition = recognition; }
    send(payload);
  });

  $("link-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var linkTitle = $("link-title").value.trim();
    var description = $("link-description").value.trim();
    var url = $("link-url").value.trim();
    hideSheet();
    renderUserLink(linkTitle, description, url);
    send({ type: "link", Title: linkTitle, Description: description, Url: url });
  });

  /* ---------- status bar clock ---------- */

  function tick() { $("status-time").textContent = clockText(new Date()); }
  tick();
  window.setInterval(tick, 30 * 1000);

  setEncrypted(Boolean(config.encrypted));
  document.body.setAttribute("data-ready", "true");
})();
