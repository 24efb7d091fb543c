  // The window part of _script.html (included last inside its IIFE: it returns early on pages without a window).
  // --- the Integration Triggers window (in the page, or in a web component's open shadow root) ----
  let dialog = document.querySelector("[data-triggers]");
  const shadowHost = document.querySelector("caredove-triggers");
  if (shadowHost) {
    const root = shadowHost.attachShadow({mode: "open"});
    const style = document.querySelector("style");
    if (style) root.append(style.cloneNode(true));
    const inner = document.createElement("dialog");
    inner.setAttribute("aria-labelledby", "triggers-title");
    inner.dataset.triggers = "1";
    root.append(inner);
    dialog = inner;
  }
  if (!dialog) return;
  const scope = dialog.getRootNode();
  let timer = null;
  let lastHtml = "";

  const show = (html) => {
    lastHtml = html;
    dialog.removeAttribute("aria-busy");
    dialog.innerHTML = html;
    clearTimeout(timer);
    const body = dialog.querySelector("[data-window]");
    if (body && body.dataset.pending === "1") {
      timer = setTimeout(refresh, Number(body.dataset.refreshMs || 500));
    }
  };
  const alertInWindow = (message) => {
    dialog.querySelectorAll("[data-window-alert]").forEach((el) => el.remove());
    const box = document.createElement("p");
    box.className = "alert";
    box.dataset.windowAlert = "1";
    box.setAttribute("role", "alert");
    box.textContent = message;
    const body = dialog.querySelector("[data-win-body]");
    (body || dialog).prepend(box);
  };
  const message = async (res, fallback) => {
    try { return (await res.json()).error || fallback; } catch (e) { return fallback; }
  };
  const LOADING = '<div class="win-head"><h2 id="triggers-title">Integration Triggers</h2></div>' +
    '<div class="win-body" data-win-body><div class="spinner" role="progressbar" aria-label="Loading integration triggers"></div>' +
    '<p>Loading…</p></div><div class="win-foot"><button type="button" class="btn" data-action="close">Close</button></div>';

  async function openWindow(ref) {
    const early = SITE.window_load === "after_open";
    if (early) {
      dialog.dataset.ref = ref;
      lastHtml = "";
      dialog.innerHTML = LOADING;
      dialog.setAttribute("aria-busy", "true");
      if (!dialog.open) dialog.showModal();
    }
    let res;
    try { res = await fetch(`/referrals/${ref}/triggers`, {headers: H}); } catch (e) { return; }
    if (res.status === 401) return sessionEnded();
    if (!res.ok) {
      console.warn("Integration Triggers could not be loaded", res.status);
      if (early) { dialog.removeAttribute("aria-busy"); alertInWindow("The integration triggers could not be loaded."); }
      return;
    }
    const html = await res.text();
    if (early && (!dialog.open || dialog.dataset.ref !== ref)) return;
    dialog.dataset.ref = ref;
    show(html);
    if (!dialog.open) dialog.showModal();
  }

  async function refresh() {
    const ref = dialog.dataset.ref;
    if (!dialog.open || !ref) return;
    let res;
    try { res = await fetch(`/referrals/${ref}/triggers`, {headers: {...H, "X-Sandbox-Refresh": "1"}}); }
    catch (e) { return; }
    if (res.status === 401) return sessionEnded();
    if (!res.ok || !dialog.open || dialog.dataset.ref !== ref) return;
    const html = await res.text();
    if (html !== lastHtml) { show(html); return; }
    const body = dialog.querySelector("[data-window]");
    timer = setTimeout(refresh, Number((body && body.dataset.refreshMs) || 500));
  }

  async function post(url) {
    dialog.setAttribute("aria-busy", "true");
    try { return await fetch(url, {method: "POST", headers: H}); }
    finally { dialog.removeAttribute("aria-busy"); }
  }

  // A clear asks first when `clear_confirm` says so: native confirm(), or an in-page dialog.
  const confirmed = () => {
    if (SITE.clear_confirm === "native") return Promise.resolve(window.confirm("Are you sure you want to clear this error?"));
    if (SITE.clear_confirm !== "dialog") return Promise.resolve(true);
    return new Promise((resolve) => {
      const ask = document.createElement("dialog");
      ask.className = "confirm";
      ask.setAttribute("role", "alertdialog");
      ask.setAttribute("aria-labelledby", "confirm-title");
      ask.innerHTML = '<h2 id="confirm-title">Are you sure?</h2><p>The error will be removed from this referral.</p>' +
        '<p><button type="button" class="btn" data-answer="no">Cancel</button> ' +
        '<button type="button" class="btn btn-red" data-answer="yes">Yes, clear it</button></p>';
      const done = (yes) => { ask.close(); ask.remove(); resolve(yes); };
      ask.addEventListener("cancel", (ev) => { ev.preventDefault(); done(false); });
      ask.addEventListener("click", (ev) => {
        const answer = ev.target.closest("[data-answer]");
        if (answer) done(answer.dataset.answer === "yes");
      });
      (scope === document ? document.body : scope).append(ask);  // a Document takes no second element
      ask.showModal();
    });
  };

  const destinationOf = (button) => {
    const row = button.closest("[data-attempt]");
    return row ? row.children[2].textContent.trim() : "the partner system";
  };

  document.addEventListener("click", async (ev) => {
    const target = ev.composedPath().find((n) => n instanceof Element) || ev.target;
    const opener = target.closest("[data-open-window]");
    if (opener) { ev.preventDefault(); return openWindow(opener.dataset.openWindow); }
    const viewer = target.closest("[data-open-response]");
    if (viewer) { window.open(viewer.dataset.openResponse, "_blank"); return; }
    const action = target.closest("[data-action]");
    if (!action || !dialog.contains(action)) return;
    const kind = action.dataset.action;
    if (kind === "close") { clearTimeout(timer); dialog.close(); return; }
    let url = action.dataset.url;
    if (kind === "clear") {
      if (!(await confirmed())) return;
      if (SITE.clear_confirm !== "none") url += "?confirmed=1";
    }
    let res;
    try { res = await post(url); }
    catch (e) { return alertInWindow("The server could not be reached. Please try again later."); }
    if (res.status === 401) return sessionEnded();
    if (kind === "resend") {
      if (!res.ok) return alertInWindow(await message(res, "The message could not be resent."));
      const where = destinationOf(action);
      show(await res.text());
      toast(`The message was resent to ${where}.`);
    } else if (kind === "clear") {
      if (!res.ok) return alertInWindow(await message(res, "The error could not be cleared."));
      clearTimeout(timer);
      dialog.close();
      if (SITE.toasts && SITE.toasts !== "none") sessionStorage.setItem("sandbox-toast", "The error was cleared.");
      window.location.reload();
    }
  });
  dialog.addEventListener("close", () => { clearTimeout(timer); });
