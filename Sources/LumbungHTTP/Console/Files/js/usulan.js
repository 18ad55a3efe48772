// The Usulan page: the change-request queue for the token's role, loaded only when the page
// opens (app.js imports it then). GET /v1/period gives the period, its cut-off date (always in
// view at the top) and what the role does: a role that proposes gets the proposal form and its
// requests (the API shows a desa operator only its desa's); a verifikator or kepala OPD gets the
// queue of what it acts on next. Opening a request shows its evidence and the role's actions.

import { t } from "./labels.js";
import { el } from "./dom.js";
import * as api from "./api.js";
import * as send from "./usulan-api.js";
import { proposalForm } from "./usulan-form.js";
import { queueView } from "./usulan-queue.js";
import { showRequest } from "./usulan-detail.js";

/** Renders the page into `root`. */
export async function usulanPage(root) {
  const cutoff = el("p", { id: "usulan-cutoff", class: "cutoff", role: "status", text: "…" });
  root.append(el("h1", { text: t("usulanTitle") }), cutoff);
  let period;
  try {
    period = await send.get("v1/period");
  } catch (error) {
    cutoff.replaceWith(el("p", { class: "error", role: "alert", text: `${t("failed")} (${error.message})` }));
    return;
  }
  // Another page was opened while the period loaded: it owns the page now.
  if (!cutoff.isConnected) return;
  cutoff.dataset.cutoff = period.cutoff;
  cutoff.dataset.periode = period.periode;
  cutoff.replaceChildren(
    el("strong", { text: `${t("usulanCutoffLabel")}: ${longDate(period.cutoff)}` }),
    ` · ${t("usulanPeriode")} ${period.periode}`,
    el("span", { class: "cutoff-rule", text: ` · ${t("usulanCutoffRule")}` }));

  const detail = el("div", { id: "usulan-detail", "aria-live": "polite" });
  let queue = null;
  const open = (id) => showRequest(detail, id, period, () => queue?.refresh());
  const opener = el("form", { id: "usulan-open", class: "filters", role: "search" },
    el("div", { class: "field" },
      el("label", { for: "usulan-open-id", text: t("usulanOpenById") }),
      el("input", { id: "usulan-open-id", inputmode: "numeric", autocomplete: "off" })),
    el("button", { type: "submit", id: "usulan-open-button", text: t("usulanOpen") }));
  opener.addEventListener("submit", (event) => {
    event.preventDefault();
    const id = opener.querySelector("input").value.trim();
    if (id) open(id);
  });

  const proposes = period.aksi.some((step) => step.nama === "create");
  if (proposes) {
    // The new household's kode wilayah starts as the token's scope (a desa operator's desa).
    let scope = null;
    try { scope = (await api.get("v1/stats")).wilayah; } catch { /* a role that may not count */ }
    root.append(proposalForm(scope, (request) => { queue?.refresh(); open(request.id); }));
  }
  queue = queueView(period, open);
  root.append(queue.element, el("section", { class: "panel" }, opener), detail);
}

/** `2026-11-17` as people read it in the chosen language (the date is WIB's, not the browser's). */
function longDate(text) {
  const [year, month, day] = text.split("-").map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return new Intl.DateTimeFormat(document.documentElement.lang === "en" ? "en-GB" : "id-ID",
    { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(date);
}
