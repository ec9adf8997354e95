// Live timeline: the page works without this; with it, new entries appear at the top as they happen.
"use strict";
(function () {
  const list = document.getElementById("timeline");
  if (!list || !window.EventSource) return;
  const source = new EventSource(list.dataset.stream);
  source.onmessage = function (message) {
    const entry = JSON.parse(message.data);
    const item = document.createElement("li");
    const time = document.createElement("time");
    time.textContent = new Date(entry.at * 1000).toISOString().slice(11, 19);
    const kind = document.createElement("span");
    kind.className = "kind";
    kind.textContent = entry.kind;
    item.append(time, " ", kind, " ", entry.summary);
    list.prepend(item);
    while (list.children.length > 200) list.lastElementChild.remove();
  };
})();
