// The Cari page: a NIK or KK look-up through /v1, and the household card (members, status,
// desil with its version, programs, Dukcapil results, open requests, and its history from the
// change feed).

import { t } from "./labels.js";
import { el, facts, readable, table } from "./dom.js";
import * as api from "./api.js";

/** Renders the search form into `root`; the card appears below it. */
export function cariPage(root) {
  const number = el("input", {
    id: "cari-number", name: "number", inputmode: "numeric", autocomplete: "off",
    pattern: "[0-9]{16}", maxlength: "16", required: true,
  });
  const by = (value, checked) => el("label", {},
    el("input", { type: "radio", name: "by", value, id: `cari-by-${value}`, checked }), ` ${t(value)}`);
  const result = el("div", { id: "cari-result", "aria-live": "polite" });
  const form = el("form", { class: "panel", id: "cari-form", role: "search" },
    el("h1", { text: t("cariTitle") }),
    el("fieldset", {}, el("legend", { text: t("searchBy") }), by("nik", true), by("kk", false)),
    el("div", { class: "field" }, el("label", { for: "cari-number", text: t("number") }), number),
    el("button", { type: "submit", id: "cari-search", text: t("search") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const kind = form.elements.by.value;
    result.replaceChildren(el("p", { class: "note", text: t("searching") }));
    result.replaceChildren(await lookUp(kind, number.value.trim()));
    result.querySelector("h2")?.focus();
  });
  root.append(form, result);
  number.focus();
}

/** The card for the household holding NIK or KK `value`, or "not found" (also outside the scope). */
async function lookUp(kind, value) {
  let household;
  try {
    if (kind === "nik") {
      household = (await api.get(`v1/persons/${encodeURIComponent(value)}`)).household;
    } else {
      household = (await api.get(`v1/households?kk=${encodeURIComponent(value)}`)).households[0];
    }
  } catch (error) {
    if (error instanceof api.APIError && error.status === 404) return notFound();
    // 16 digits that break the NIK or KK rules (the server's, not repeated here).
    if (error instanceof api.APIError && error.status === 400) {
      return el("p", { id: "cari-invalid", class: "error", role: "alert", text: t("invalidNumber") });
    }
    return el("p", { class: "error", role: "alert", text: `${t("failed")} (${error.message})` });
  }
  return household ? card(household) : notFound();
}

function notFound() {
  return el("p", { id: "cari-not-found", class: "error", role: "alert", text: t("notFound") });
}

/** The household card; the requests load after it is shown. */
function card(household) {
  const requests = el("div", { id: "card-requests" }, el("p", { class: "note", text: "…" }));
  const section = el("section", { class: "panel", id: "household-card", "data-household-id": household.id },
    el("h2", { tabindex: "-1", text: `${t("household")} ${household.nomor_kk}` }),
    facts([
      [t("id"), String(household.id)],
      [t("kk"), household.nomor_kk],
      [t("kodeWilayah"), household.kode_wilayah],
      [t("alamat"), [household.alamat, household.rt != null ? `RT ${household.rt}` : null, household.rw != null ? `RW ${household.rw}` : null].filter(Boolean).join(", ")],
      [t("status"), el("span", { id: "card-status", text: readable(household.status) })],
      [t("desil"), el("span", { id: "card-desil", text: desil(household) })],
      [t("program"), programs(household.program)],
      [t("updated"), household.diperbarui ?? "—"],
    ]),
    el("h2", { text: t("members") }),
    table(t("members"), [t("nik"), t("nama"), t("hubungan"), t("jenisKelamin"), t("tanggalLahir"), t("statusNik"), t("dukcapil")],
      household.anggota.map((member) => [
        member.nik ?? "—", member.nama, readable(member.hubungan), member.jenis_kelamin, member.tanggal_lahir ?? "—",
        readable(member.status_nik), dukcapil(member),
      ])),
    requests);
  loadRequests(household.id, requests);
  return section;
}

function desil(household) {
  if (household.desil == null) return t("noDesil");
  return household.desil_versi ? `${household.desil} (${t("desilVersi")} ${household.desil_versi})` : String(household.desil);
}

function programs(list) {
  if (!list || list.length === 0) return t("none");
  return el("span", { id: "card-programs" }, list.map((name) => el("span", { class: "tag", text: name })));
}

function dukcapil(member) {
  const status = member.status_dukcapil ?? null;
  if (!status || status === "belum_dipadankan") return t("belumDipadankan");
  return member.alasan_dukcapil ? `${readable(status)} (${member.alasan_dukcapil})` : readable(status);
}

/** The household's open requests, and its history from the change feed (newest first). */
async function loadRequests(id, target) {
  let open, changes;
  try {
    [open, changes] = await Promise.all([
      api.get(`v1/requests?household=${id}&state=open&limit=100`),
      api.get(`v1/changes?household=${id}&order=desc&limit=${historyLimit}`),
    ]);
  } catch (error) {
    const text = error instanceof api.APIError && error.status === 403 ? t("notAllowed") : `${t("failed")} (${error.message})`;
    target.replaceChildren(el("h2", { text: t("openRequests") }), el("p", { class: "note", text }));
    return;
  }
  target.replaceChildren(
    el("h2", { text: t("openRequests") }),
    open.requests.length === 0 ? el("p", { class: "note", text: t("noRequests") })
      : table(t("openRequests"), [t("id"), t("jenis"), t("status")],
        open.requests.map((request) => [String(request.id), readable(request.jenis), readable(request.status)])),
    el("h2", { text: t("history") }),
    changes.changes.length === 0 ? el("p", { class: "note", text: t("noHistory") })
      : el("div", { id: "card-history" },
        table(t("history"), [t("waktu"), t("aksi"), t("aktor"), t("catatan")],
          changes.changes.map((entry) => [entry.time, t(`change_${entry.action}`), entry.actor, entry.note ?? "—"]))));
}

/** The newest entries of the household's history the card shows. */
const historyLimit = 50;
