// Konsol Lumbung's shell: sign-in, the page navigation (by the URL's hash, which names only
// the page), the language switch and sign-out. Each page is its own module.

import { language, t, toggleLanguage } from "./labels.js";
import { el } from "./dom.js";
import * as api from "./api.js";
import { cariPage } from "./cari.js";
import { wilayahPage } from "./wilayah.js";

/** The pages in navigation order: hash, label key, and the function that renders one. */
const pages = [
  { hash: "#cari", label: "cari", render: cariPage },
  { hash: "#wilayah", label: "wilayahNav", render: wilayahPage },
  { hash: "#usulan", label: "usulanNav", render: (root) => import("./usulan.js").then((page) => page.usulanPage(root)) },
  // Loaded when first opened, so the first load stays small.
  { hash: "#snapshot", label: "snapshotNav", render: (root) => import("./snapshot.js").then((page) => page.snapshotPage(root)) },
  { hash: "#audit", label: "auditNav", render: (root) => import("./audit.js").then((page) => page.auditPage(root)) },
  { hash: "#pemadanan", label: "pemadananNav", render: (root) => import("./pemadanan.js").then((page) => page.pemadananPage(root)) },
];

const main = () => document.getElementById("main");

function renderChrome() {
  document.documentElement.lang = language();
  document.getElementById("skip-link").textContent = t("skip");
  const switcher = document.getElementById("language");
  switcher.textContent = t("language");
  switcher.setAttribute("aria-label", `${t("languageName")}: ${t("language")}`);
  const signOut = document.getElementById("sign-out");
  signOut.textContent = t("signOut");
  signOut.hidden = !api.token();
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("pages"));
  nav.hidden = !api.token();
  const current = currentPage();
  nav.replaceChildren(...pages.map((page) =>
    el("a", { href: page.hash, text: t(page.label), "aria-current": page === current ? "page" : null })));
}

function currentPage() {
  return pages.find((page) => page.hash === location.hash) ?? pages[0];
}

function signInPage() {
  const input = el("input", { id: "token", name: "token", type: "password", autocomplete: "off", required: true, "aria-describedby": "token-help" });
  const message = el("p", { id: "sign-in-message", class: "error", role: "alert" });
  const form = el("form", { class: "panel", id: "sign-in" },
    el("h1", { text: t("signInTitle") }),
    el("div", { class: "field" },
      el("label", { for: "token", text: t("token") }),
      input,
      el("span", { id: "token-help", class: "note", text: t("tokenHelp") })),
    el("button", { type: "submit", id: "sign-in-button", text: t("signIn") }),
    message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const secret = input.value.trim();
    try {
      await api.get("v1/stats", secret);
    } catch (error) {
      // 401 is a token the server does not know; a known token whose role may not count (403) still signs in.
      if (!(error instanceof api.APIError) || error.status === 401) {
        message.textContent = t("tokenRefused");
        return;
      }
    }
    api.signIn(secret);
    render();
  });
  main().replaceChildren(form);
  input.focus();
}

/** Draws the chrome and the current page (or the sign-in form without a token). */
function render() {
  renderChrome();
  if (!api.token()) {
    signInPage();
    return;
  }
  main().replaceChildren();
  currentPage().render(main());
}

document.getElementById("language").addEventListener("click", () => { toggleLanguage(); render(); });
document.getElementById("sign-out").addEventListener("click", () => { api.signOut(); location.hash = ""; render(); });
window.addEventListener("hashchange", render);
render();
