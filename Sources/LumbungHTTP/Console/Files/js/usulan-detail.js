// The Usulan page's request view: GET /v1/requests/{id} (404 for one outside the token's
// sight, as for one that does not exist), its change, its evidence shown inline, its history,
// and the buttons for the actions the token's role may take from the request's state
// (`aksi` of GET /v1/period). A rejection's reason goes in the note; the API refuses one without.

import { t } from "./labels.js";
import { el, facts, readable, table } from "./dom.js";
import * as send from "./usulan-api.js";
import { showErrors, clearErrors, field } from "./usulan-errors.js";

/** Shows request `id` in `target`; `changed(request)` follows an action taken on it. */
export async function showRequest(target, id, period, changed) {
  target.replaceChildren(el("p", { class: "note", text: t("searching") }));
  let request;
  try {
    request = await send.get(`v1/requests/${encodeURIComponent(id)}`);
  } catch (error) {
    const text = error.status === 404 ? t("notFound") : `${t("failed")} (${error.message})`;
    target.replaceChildren(el("p", { id: error.status === 404 ? "usulan-not-found" : null, class: "error", role: "alert", text }));
    return;
  }
  draw(target, request, period, changed);
}

function draw(target, request, period, changed) {
  const evidence = el("div", { id: "detail-evidence", class: "evidence" },
    request.bukti.length === 0 ? el("p", { class: "note", text: t("usulanNoEvidence") }) : request.bukti.map(evidenceItem));
  const section = el("section", { class: "panel", id: "request-detail", "data-request-id": request.id, "data-status": request.status },
    el("h2", { tabindex: "-1", text: `${t("usulan")} #${request.id}: ${t(`usulanJenis_${request.jenis}`)}` }),
    facts([
      [t("status"), el("span", { id: "detail-status", text: readable(request.status) })],
      [t("kodeWilayah"), request.kode_wilayah ?? "—"],
      [t("household"), el("span", { id: "detail-household", text: request.rumah_tangga_id == null ? "—" : String(request.rumah_tangga_id) })],
      [t("usulanPeriode"), request.periode ?? "—"],
      [t("usulanPengusul"), request.pengusul ? `${request.pengusul} (${readable(request.peran_pengusul)})` : "—"],
      [t("usulanBeritaAcara"), meeting(request)],
    ]),
    el("h3", { text: t("usulanPerubahan") }),
    change(request),
    el("h3", { text: t("usulanBukti") }),
    evidence,
    el("h3", { text: t("history") }),
    table(t("history"), [t("waktu"), t("aksi"), t("status"), t("aktor"), t("catatan")],
      request.riwayat.map((step) => [step.waktu, t(`usulanAksi_${step.aksi}`), readable(step.status), step.aktor ?? "—", step.catatan || "—"])),
    actions(request, period, target, changed));
  target.replaceChildren(section);
  section.querySelector("h2").focus();
}

function meeting(request) {
  const reference = request.berita_acara ?? request.sptjm;
  return reference ? `${reference.nomor} (${reference.tanggal})` : "—";
}

/** The proposed change: a household with its members, or the type's keys. */
function change(request) {
  // baru and ubah carry the household itself.
  const household = request.perubahan;
  if (household && Array.isArray(household.anggota)) {
    return el("div", { id: "detail-change" },
      facts([[t("kk"), household.nomor_kk], [t("alamat"), household.alamat], [t("kodeWilayah"), household.kode_wilayah]]),
      table(t("members"), [t("nik"), t("nama"), t("hubungan"), t("jenisKelamin"), t("tanggalLahir")],
        household.anggota.map((member) => [member.nik ?? "—", member.nama, readable(member.hubungan), member.jenis_kelamin, member.tanggal_lahir ?? "—"])));
  }
  return el("div", { id: "detail-change" },
    facts(Object.entries(request.perubahan ?? {}).map(([key, value]) => [readable(key), typeof value === "object" ? JSON.stringify(value) : readable(value)])));
}

/** One attachment, fetched with the token. An image is drawn on a canvas from its bytes: an
 *  <img> cannot send the Bearer header, and a blob: URL would need `img-src blob:` beyond the
 *  console's `default-src 'self'`. A PDF is offered as a download. */
function evidenceItem(item) {
  const caption = `${t(`usulanBukti_${item.jenis}`)} · ${item.media_type} · ${Math.ceil((item.ukuran ?? 0) / 1024)} KB`;
  const figure = el("figure", { class: "evidence-item", "data-jenis": item.jenis, "data-sha256": item.sha256 },
    el("p", { class: "note", text: "…" }), el("figcaption", { text: caption }));
  load(figure, item, caption);
  return figure;
}

async function load(figure, item, caption) {
  let blob;
  try {
    blob = await send.evidence(item.sha256);
  } catch (error) {
    figure.firstChild.replaceWith(el("p", { class: "error", text: `${t("failed")} (${error.message})` }));
    return;
  }
  if (!item.media_type.startsWith("image/")) {
    const save = el("button", { type: "button", class: "secondary", text: t("usulanDownload"), onclick: () => {
      const link = el("a", { href: URL.createObjectURL(blob), download: `${item.jenis}-${item.sha256.slice(0, 12)}.pdf` });
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    } });
    figure.firstChild.replaceWith(save);
    return;
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch {
    figure.firstChild.replaceWith(el("p", { class: "error", text: t("usulanImageUnreadable") }));
    return;
  }
  // At most 1600 px across: a phone photo at full size would hold tens of MB in the canvas.
  const scale = Math.min(1, 1600 / bitmap.width);
  const canvas = el("canvas", {
    width: Math.round(bitmap.width * scale), height: Math.round(bitmap.height * scale), role: "img", "aria-label": caption,
    "data-natural-width": bitmap.width, "data-natural-height": bitmap.height,
  });
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  figure.firstChild.replaceWith(canvas);
}

/** The buttons of the role's actions that start from the request's state, and the note. */
function actions(request, period, target, changed) {
  const possible = period.aksi.filter((step) => step.dari.includes(request.status));
  if (possible.length === 0) return null;
  const note = el("textarea", { id: "detail-catatan", rows: "2" });
  const message = el("div", { id: "detail-message", role: "status" });
  const box = el("fieldset", { id: "detail-actions", class: "actions-box" },
    el("legend", { text: t("aksi") }),
    field("detail-catatan", t("usulanCatatanReason"), "catatan", note),
    el("div", { class: "actions" }, possible.map((step) => el("button", {
      type: "button", id: `detail-${step.nama}`, class: step.nama === "reject" || step.nama === "withdraw" ? "danger" : null,
      text: t(`usulanAksi_${step.nama}`),
      onclick: async () => {
        clearErrors(box);
        message.replaceChildren(el("p", { class: "note", text: t("usulanSending") }));
        try {
          const done = await send.post(`v1/requests/${request.id}/${step.nama}`, { catatan: note.value.trim() || null });
          draw(target, done, period, changed);
          target.querySelector("#request-detail").append(el("p", { id: "detail-done", class: "ok", role: "status", text: `${t(`usulanAksi_${step.nama}`)}: ${readable(done.status)}` }));
          changed(done);
        } catch (error) {
          message.replaceChildren(showErrors(box, error));
        }
      },
    }))),
    message);
  return box;
}
