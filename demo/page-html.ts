/** The page itself: static HTML and a little script that follows the event stream. */

export interface PageInfo {
  session: string;
  editorUrl: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function pageHtml(info: PageInfo): string {
  const session = escapeHtml(info.session);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>What Claude sees — session ${session}</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
  header { padding: 14px 20px; background: #fff; border-bottom: 1px solid #d0d7de; }
  header h1 { font-size: 18px; margin: 0 0 4px; }
  header p { margin: 0; color: #57606a; }
  main { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; padding: 16px 20px; }
  section { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 12px 14px; min-width: 0; }
  h2 { font-size: 15px; margin: 0 0 2px; }
  .hint { color: #57606a; margin: 0 0 10px; font-size: 13px; }
  pre { font: 12.5px/1.4 ui-monospace, monospace; white-space: pre-wrap; word-break: break-word; margin: 0 0 8px; padding: 8px; background: #f6f8fa; border-radius: 4px; }
  .time { color: #57606a; font-size: 12px; }
  .error { background: #ffebe9; }
  .new { animation: flash 1.5s ease-out; }
  @keyframes flash { from { background: #fff8c5; } to { background: #f6f8fa; } }
  #state { float: right; font-size: 13px; color: #57606a; }
  @media (max-width: 900px) { main { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<header>
  <span id="state">connecting…</span>
  <h1>What Claude sees — session “${session}”</h1>
  <p>A real bridge (<code>claude-channel-bridge</code>, flow mode) connected to the demo, read the way Claude Code reads it.
  The flows are in the <a href="${escapeHtml(info.editorUrl)}">Node-RED editor</a>.</p>
</header>
<main>
  <section>
    <h2>Channel notifications</h2>
    <p class="hint">Admitted messages: pushed into Claude's context the moment they arrive, newest first.</p>
    <div id="notifications"><p class="hint">None yet: the front door opens every minute, or click an inject node in the editor.</p></div>
  </section>
  <section>
    <h2>The <code>inbox</code> tool</h2>
    <p class="hint">Watched messages wait here until Claude reads them. Refreshed every 2 s (reading does not clear them).</p>
    <div id="inbox"></div>
  </section>
</main>
<script>
  var list = document.getElementById("notifications");
  var inbox = document.getElementById("inbox");
  var state = document.getElementById("state");
  var empty = true;
  function block(text, className) {
    var pre = document.createElement("pre");
    pre.textContent = text;
    if (className) pre.className = className;
    return pre;
  }
  var events = new EventSource("events");
  events.onopen = function () { state.textContent = "live"; };
  events.onerror = function () { state.textContent = "reconnecting…"; };
  events.addEventListener("notification", function (e) {
    var n = JSON.parse(e.data);
    if (empty) { list.textContent = ""; empty = false; }
    var item = document.createElement("div");
    var time = document.createElement("div");
    time.className = "time";
    time.textContent = new Date(n.at).toLocaleTimeString();
    item.appendChild(time);
    item.appendChild(block(n.tag, "new"));
    list.insertBefore(item, list.firstChild);
    while (list.children.length > 100) list.removeChild(list.lastChild);
  });
  events.addEventListener("inbox", function (e) {
    var data = JSON.parse(e.data);
    inbox.textContent = "";
    data.outputs.forEach(function (o) {
      var call = document.createElement("div");
      call.className = "time";
      call.textContent = "→ " + o.call + (o.isError ? " (error)" : "");
      inbox.appendChild(call);
      inbox.appendChild(block(o.text, o.isError ? "error" : ""));
    });
  });
</script>
</body>
</html>
`;
}
