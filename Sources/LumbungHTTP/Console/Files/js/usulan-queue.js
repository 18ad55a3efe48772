// The Usulan page's queue: GET /v1/requests filtered by desa, state, type and period, a page
// at a time with the total; by default the states the token's role acts on next (`antrean` of
// GET /v1/period). A reviewer takes one action on a whole desa's requests at once
// (POST /v1/requests/batch/{action}).

import { t } from "./labels.js";
import { el, readable, table } from "./dom.js";
import * as send from "./usulan-api.js";
import { showErrors, clearErrors, field } from "./usulan-errors.js";

/** The request types and states, as the API names them, for the filters. */
const types = ["baru", "ubah", "tambah_anggota", "hapus_anggota", "pindah_anggota", "ganti_kepala", "pecah", "gabung", "keluar", "usul_ulang", "sanggah", "koreksi_identitas"];
const states = ["draft", "diajukan", "diverifikasi", "disetujui", "diterapkan", "ditolak", "ditarik"];

/** The queue's panel; `open(id)` shows a request. `refresh()` reloads it with the same filters. */
export function queueView(period, open) {
  const proposer = period.aksi.some((step) => step.nama === "create");
  const stateChoices = [
    ["antrean", `${t("usulanAntrean")} (${period.antrean.map(readable).join(", ") || "—"})`],
    ["open", t("usulanStateOpen")],
    ["", t("usulanAll")],
    ...states.map((name) => [name, readable(name)]),
  ];
  const desa = el("input", { id: "queue-desa", autocomplete: "off", placeholder: "32.16.01.2001" });
  const state = el("select", { id: "queue-state" },
    stateChoices.map(([value, label]) => el("option", { value, text: label, selected: value === (proposer ? "open" : "antrean") })));
  const type = el("select", { id: "queue-type" }, el("option", { value: "", text: t("usulanAll") }),
    types.map((name) => el("option", { value: name, text: t(`usulanJenis_${name}`) })));
  const periode = el("input", { id: "queue-period", placeholder: period.periode, pattern: "[0-9]{4}-[0-9]{2}", autocomplete: "off" });
  const filters = el("form", { id: "queue-filters", class: "filters", role: "search" },
    field("queue-desa", t("usulanDesa"), "desa", desa),
    field("queue-state", t("status"), "state", state),
    field("queue-type", t("jenis"), "type", type),
    field("queue-period", t("usulanPeriode"), "period", periode),
    el("button", { type: "submit", id: "queue-apply", text: t("usulanFilter") }));
  const list = el("div", { id: "queue-list", "aria-live": "polite" });
  const more = el("button", { type: "button", id: "queue-more", class: "secondary", hidden: true, text: t("usulanMore") });
  const batch = el("div", { id: "queue-batch" });
  const message = el("div", { id: "batch-message", role: "status" });
  const section = el("section", { class: "panel", id: "usulan-queue" },
    el("h2", { text: proposer ? t("usulanMine") : t("usulanQueue") }), filters, list, more, batch, message);

  let cursor = null;
  let rows = [];
  const query = () => {
    const parameters = new URLSearchParams();
    if (desa.value.trim()) parameters.set("desa", desa.value.trim());
    const chosen = state.value === "antrean" ? period.antrean.join(",") : state.value;
    if (chosen) parameters.set("state", chosen);
    if (type.value) parameters.set("type", type.value);
    if (periode.value.trim()) parameters.set("period", periode.value.trim());
    parameters.set("limit", "50");
    return parameters;
  };
  const load = async (next) => {
    const parameters = query();
    if (next) parameters.set("cursor", next);
    clearErrors(filters);
    let page;
    try {
      page = await send.get(`v1/requests?${parameters}`);
    } catch (error) {
      list.replaceChildren(showErrors(filters, error));
      return;
    }
    rows = next ? rows.concat(page.requests) : page.requests;
    cursor = page.next_cursor;
    more.hidden = !cursor;
    list.replaceChildren(
      el("p", { id: "queue-total", "data-total": page.total, text: `${t("usulanTotal")}: ${page.total}` }),
      rows.length === 0 ? el("p", { class: "note", text: t("noRequests") })
        : table(t("usulanQueue"), [t("id"), t("jenis"), t("status"), t("kodeWilayah"), t("household"), t("usulanPeriode"), t("usulanBukti")],
          rows.map((request) => [
            el("button", { type: "button", class: "link", "data-request-id": request.id, text: `#${request.id}`, onclick: () => open(request.id) }),
            t(`usulanJenis_${request.jenis}`), readable(request.status), request.kode_wilayah ?? "—",
            request.rumah_tangga_id == null ? "—" : String(request.rumah_tangga_id), request.periode ?? "—", String(request.bukti.length),
          ])));
    drawBatch();
  };
  // A reviewer's tool: every request of one desa that the action starts from, in one transaction.
  const drawBatch = () => {
    const code = desa.value.trim();
    if (proposer || !code) {
      batch.replaceChildren(proposer ? "" : el("p", { class: "note", text: t("usulanBatchHint") }));
      return;
    }
    const note = el("textarea", { id: "batch-catatan", rows: "2" });
    const box = el("fieldset", { class: "batch", "data-field": "batch" },
      el("legend", { text: `${t("usulanBatchTitle")} ${code}` }),
      field("batch-catatan", t("catatan"), "catatan", note),
      el("div", { class: "actions" }, period.aksi.map((step) => el("button", {
        type: "button", id: `batch-${step.nama}`, class: step.nama === "reject" ? "danger" : null,
        text: `${t(`usulanAksi_${step.nama}`)} (${t("usulanAllInDesa")})`,
        onclick: async () => {
          clearErrors(box);
          message.replaceChildren(el("p", { class: "note", text: t("usulanSending") }));
          try {
            const done = await send.post(`v1/requests/batch/${step.nama}`, { desa: code, catatan: note.value.trim() || null });
            message.replaceChildren(el("p", { id: "batch-done", class: "ok", "data-count": done.count, text: `${t("usulanBatchDone")}: ${done.count}` }));
            await load(null);
          } catch (error) {
            message.replaceChildren(showErrors(box, error));
          }
        },
      }))));
    batch.replaceChildren(box);
  };
  filters.addEventListener("submit", (event) => { event.preventDefault(); load(null); });
  more.addEventListener("click", () => load(cursor));
  load(null);
  return { element: section, refresh: () => load(null) };
}
