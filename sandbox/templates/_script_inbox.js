  // The inbox part of _script.html (included inside its IIFE; SITE, H, sessionEnded come from there).
  // --- the inbox: rows fetched after load, paging buttons, Load more (`rows`, `paging`, `loading`) --
  const inbox = document.querySelector("[data-inbox]");
  if (inbox) {
    const table = inbox.querySelector("[aria-label=Referrals]");
    const body = inbox.querySelector("[data-rows-body]");
    const mode = inbox.dataset.loading;
    const tpl = inbox.querySelector("template[data-loading-row]");
    let pageNo = Number(inbox.dataset.page), pages = Number(inbox.dataset.pages), firstShown = 1;
    const buttons = () => inbox.querySelectorAll("[data-pager] button");
    const isOff = (el) => el.disabled || el.getAttribute("aria-disabled") === "true";
    const setOff = (el, off) => {
      if (inbox.dataset.disabled === "disabled") { el.disabled = off; return; }
      if (off) el.setAttribute("aria-disabled", "true"); else el.removeAttribute("aria-disabled");
    };
    const startLoading = (append) => {
      buttons().forEach((b) => setOff(b, true));
      if (mode === "aria_busy") { table.setAttribute("aria-busy", "true"); return; }
      if (mode === "progressbar") {
        if (!append) body.innerHTML = "";
        if (!inbox.querySelector("[role=progressbar]")) {
          const spin = document.createElement("div");
          spin.className = "spinner";
          spin.setAttribute("role", "progressbar");
          spin.setAttribute("aria-label", "Loading referrals");
          if (append) table.after(spin); else table.before(spin);
        }
        return;
      }
      const row = tpl ? tpl.innerHTML : "";
      if (append) body.insertAdjacentHTML("beforeend", row); else body.innerHTML = row;
    };
    const stopLoading = () => {
      table.removeAttribute("aria-busy");
      inbox.querySelectorAll("[role=progressbar]").forEach((el) => el.remove());
      body.querySelectorAll("[data-loading]").forEach((el) => el.remove());
    };
    const showPager = () => {
      const label = inbox.querySelector("[data-page-label]");
      if (label) label.textContent = `Page ${pageNo} of ${pages}`;
      buttons().forEach((b) => {
        if (b.dataset.goto === "-1") setOff(b, pageNo <= 1);
        else if (b.dataset.goto === "1") setOff(b, pageNo >= pages);
        else if ("loadMore" in b.dataset) { if (pageNo >= pages) b.remove(); else setOff(b, false); }
      });
    };
    const failed = () => {
      stopLoading();
      if (inbox.querySelector("[data-load-error]")) return;
      const box = document.createElement("p");
      box.className = "alert";
      box.dataset.loadError = "1";
      box.setAttribute("role", "alert");
      box.textContent = "Referrals could not be loaded. Please reload the page.";
      table.before(box);
      showPager();
    };
    const load = async (n, append) => {
      startLoading(append);
      const url = new URL(inbox.dataset.rowsUrl, window.location.href);
      url.searchParams.set("page", String(n));
      let res;
      try { res = await fetch(url, {headers: H}); } catch (e) { return failed(); }
      if (res.status === 401) return sessionEnded();
      if (!res.ok) return failed();
      const data = await res.json();
      stopLoading();
      if (append) body.insertAdjacentHTML("beforeend", data.html); else body.innerHTML = data.html;
      pageNo = data.page_number; pages = data.pages;
      if (!append) firstShown = data.first;
      const showing = inbox.querySelector("[data-showing]");
      if (showing) {
        showing.textContent = !data.total ? "Showing 0 of 0"
          : append ? `Showing ${firstShown}–${data.last} of ${data.total}` : data.showing;
      }
      showPager();
    };
    inbox.addEventListener("click", (ev) => {
      const btn = ev.target.closest("[data-pager] button");
      if (!btn || isOff(btn)) return;
      if ("loadMore" in btn.dataset) load(pageNo + 1, true);
      else load(pageNo + Number(btn.dataset.goto), false);
    });
    if (inbox.dataset.rows === "fetch") load(pageNo, false);
  }

