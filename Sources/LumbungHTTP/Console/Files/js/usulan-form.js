// The Usulan page's proposal form (roles that may `create`): a new household with its members,
// a re-proposal (usul ulang) or a household leaving the register (keluar), with the musdes
// meeting reference, a house photo and a KTP from a file or the phone's camera. The files go
// to POST /v1/evidence first; the request names them in `bukti` with the API's evidence kinds.
// Nothing is checked here that the API checks: its refusals are shown next to the field they name.

import { t } from "./labels.js";
import { el } from "./dom.js";
import * as send from "./usulan-api.js";
import { showErrors, clearErrors, field } from "./usulan-errors.js";

/** The proposal types this form drafts; the API takes more (see openapi.yaml's RequestSubmission). */
const types = ["baru", "usul_ulang", "keluar"];
/** The reasons a household leaves (keluar), as the API names them. */
const reasons = ["mampu", "meninggal", "pindah", "tidak_ditemukan", "ganda"];
/** The member relations, as the API names them. */
const relations = ["kepala_keluarga", "istri_suami", "anak", "menantu", "cucu", "orang_tua", "mertua", "famili_lain", "lainnya"];

/** The form; `desa` prefills the new household's kode wilayah; `created(request)` follows a success. */
export function proposalForm(desa, created) {
  const jenis = el("select", { id: "usulan-jenis", name: "jenis" },
    types.map((name) => el("option", { value: name, text: t(`usulanJenis_${name}`) })));
  const members = el("div", { id: "usulan-members" });
  const household = el("fieldset", { id: "usulan-household", "data-field": "rumah_tangga" },
    el("legend", { text: t("usulanHousehold") }),
    field("usulan-kk", t("kk"), "rumah_tangga.nomor_kk", el("input", { id: "usulan-kk", inputmode: "numeric", maxlength: "16", autocomplete: "off" })),
    field("usulan-wilayah", t("kodeWilayah"), "rumah_tangga.kode_wilayah", el("input", { id: "usulan-wilayah", value: desa ?? "", autocomplete: "off" })),
    field("usulan-alamat", t("alamat"), "rumah_tangga.alamat", el("input", { id: "usulan-alamat", autocomplete: "off" })),
    el("div", { class: "row" },
      field("usulan-rt", "RT", "rumah_tangga.rt", el("input", { id: "usulan-rt", inputmode: "numeric", maxlength: "3" })),
      field("usulan-rw", "RW", "rumah_tangga.rw", el("input", { id: "usulan-rw", inputmode: "numeric", maxlength: "3" }))),
    el("h3", { text: t("members") }),
    members,
    el("button", { type: "button", id: "usulan-add-member", class: "secondary", text: t("usulanAddMember"), onclick: () => addMember(members) }));
  addMember(members);
  const existing = el("fieldset", { id: "usulan-existing", hidden: true },
    el("legend", { text: t("usulanExisting") }),
    field("usulan-rumah-tangga", t("usulanHouseholdID"), "rumah_tangga_id", el("input", { id: "usulan-rumah-tangga", inputmode: "numeric", autocomplete: "off" })),
    field("usulan-alasan", t("usulanAlasan"), "alasan", el("select", { id: "usulan-alasan" },
      reasons.map((name) => el("option", { value: name, text: t(`usulanAlasan_${name}`) })))));
  const meeting = el("fieldset", { "data-field": "berita_acara" },
    el("legend", { text: t("usulanBeritaAcara") }),
    el("div", { class: "row" },
      field("usulan-ba-nomor", t("usulanBaNomor"), "berita_acara.nomor", el("input", { id: "usulan-ba-nomor", autocomplete: "off" })),
      field("usulan-ba-tanggal", t("usulanBaTanggal"), "berita_acara.tanggal", el("input", { id: "usulan-ba-tanggal", placeholder: "2026-11-02", pattern: "[0-9]{4}-[0-9]{2}-[0-9]{2}", autocomplete: "off" }))));
  // capture="environment" opens the phone's back camera; a desktop browser offers a file.
  const photo = () => ({ type: "file", accept: "image/*", capture: "environment" });
  const evidence = el("fieldset", { id: "usulan-bukti", "data-field": "bukti" },
    el("legend", { text: t("usulanBukti") }),
    field("usulan-foto-rumah", t("usulanFotoRumah"), "bukti.foto_rumah", el("input", { id: "usulan-foto-rumah", ...photo() })),
    field("usulan-ktp", t("usulanKtp"), "bukti.ktp", el("input", { id: "usulan-ktp", ...photo() })));
  const note = field("usulan-catatan-baru", t("catatan"), "catatan", el("textarea", { id: "usulan-catatan-baru", rows: "2" }));
  const message = el("div", { id: "usulan-form-message", role: "alert" });
  const draftButton = el("button", { type: "submit", id: "usulan-draft", class: "secondary", value: "draft", text: t("usulanSaveDraft") });
  const submitButton = el("button", { type: "submit", id: "usulan-submit", value: "submit", text: t("usulanSubmitProposal") });
  const form = el("form", { class: "panel", id: "usulan-form", novalidate: true },
    el("h2", { text: t("usulanNew") }),
    field("usulan-jenis", t("jenis"), "jenis", jenis),
    household, existing, meeting, evidence, note,
    el("div", { class: "actions" }, draftButton, submitButton),
    message);
  const showType = () => {
    household.hidden = jenis.value !== "baru";
    existing.hidden = jenis.value === "baru";
    existing.querySelector("#usulan-alasan").closest(".field").hidden = jenis.value !== "keluar";
  };
  jenis.addEventListener("change", showType);
  showType();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const asDraft = event.submitter?.value === "draft";
    clearErrors(form);
    message.replaceChildren(el("p", { class: "note", text: t("usulanSending") }));
    draftButton.disabled = submitButton.disabled = true;
    try {
      const bukti = await uploads(form);
      const request = await send.post(`v1/requests${asDraft ? "?draft=true" : ""}`, submission(form, bukti));
      message.replaceChildren(el("p", { id: "usulan-created", class: "ok", "data-request-id": request.id,
        text: `${t("usulanCreated")} #${request.id} (${request.status})` }));
      form.reset();
      members.replaceChildren();
      addMember(members);
      form.querySelector("#usulan-wilayah").value = desa ?? "";
      showType();
      created(request);
    } catch (error) {
      message.replaceChildren(showErrors(form, error));
    } finally {
      draftButton.disabled = submitButton.disabled = false;
    }
  });
  return form;
}

/** Adds one member's fieldset; its fields are named as the API names them (`anggota[N].nik`). */
function addMember(container) {
  const index = container.children.length;
  const id = (name) => `usulan-anggota-${index}-${name}`;
  const path = (name) => `rumah_tangga.anggota[${index}].${name}`;
  const set = el("fieldset", { class: "member", "data-field": `rumah_tangga.anggota[${index}]` },
    el("legend", { text: `${t("usulanMember")} ${index + 1}` }),
    el("div", { class: "row" },
      field(id("nama"), t("nama"), path("nama"), el("input", { id: id("nama"), "data-key": "nama", autocomplete: "off" })),
      field(id("nik"), t("nik"), path("nik"), el("input", { id: id("nik"), "data-key": "nik", inputmode: "numeric", maxlength: "16", autocomplete: "off" }))),
    el("div", { class: "row" },
      field(id("hubungan"), t("hubungan"), path("hubungan"), el("select", { id: id("hubungan"), "data-key": "hubungan" },
        relations.map((name) => el("option", { value: name, text: t(`usulanHubungan_${name}`), selected: index === 0 ? name === "kepala_keluarga" : name === "anak" })))),
      field(id("jenis_kelamin"), t("jenisKelamin"), path("jenis_kelamin"), el("select", { id: id("jenis_kelamin"), "data-key": "jenis_kelamin" },
        el("option", { value: "L", text: t("usulanLakiLaki") }), el("option", { value: "P", text: t("usulanPerempuan") }))),
      field(id("tanggal_lahir"), t("tanggalLahir"), path("tanggal_lahir"), el("input", { id: id("tanggal_lahir"), "data-key": "tanggal_lahir", placeholder: "1980-05-17", autocomplete: "off" }))));
  if (index > 0) {
    set.append(el("button", { type: "button", class: "link", text: t("usulanRemoveMember"), onclick: () => { set.remove(); renumber(container); } }));
  }
  container.append(set);
}

/** After a removal: each member's fields named by its place again, as the API will count them. */
function renumber(container) {
  [...container.children].forEach((set, index) => {
    set.dataset.field = `rumah_tangga.anggota[${index}]`;
    set.querySelector("legend").textContent = `${t("usulanMember")} ${index + 1}`;
    for (const wrapper of set.querySelectorAll(".field")) {
      wrapper.dataset.field = `rumah_tangga.anggota[${index}].${wrapper.querySelector("[data-key]").dataset.key}`;
    }
  });
}

/** Uploads the chosen files; each is named in `bukti` with its evidence kind. */
async function uploads(form) {
  const bukti = [];
  for (const [input, jenis] of [["#usulan-foto-rumah", "foto_rumah"], ["#usulan-ktp", "ktp"]]) {
    const file = form.querySelector(input).files[0];
    if (!file) continue;
    try {
      const stored = await send.upload(file);
      bukti.push({ sha256: stored.digest, media_type: stored.media_type, jenis });
    } catch (error) {
      // An upload's refusal (type, size) names the header or the body: it belongs to this file.
      (error.errors ?? []).forEach((item) => { item.field = `bukti.${jenis}`; });
      throw error;
    }
  }
  return bukti;
}

/** The request's JSON from the form, as openapi.yaml's RequestSubmission. */
function submission(form, bukti) {
  const value = (css) => form.querySelector(css).value.trim();
  const number = (text) => (/^[0-9]+$/.test(text) ? Number(text) : text === "" ? null : text);
  const jenis = value("#usulan-jenis");
  const body = { jenis };
  if (jenis === "baru") {
    body.rumah_tangga = {
      nomor_kk: value("#usulan-kk"),
      kode_wilayah: value("#usulan-wilayah"),
      alamat: value("#usulan-alamat"),
      rt: number(value("#usulan-rt")),
      rw: number(value("#usulan-rw")),
      status: "usulan",
      anggota: [...form.querySelectorAll("#usulan-members fieldset.member")].map((set) => {
        const member = {};
        for (const input of set.querySelectorAll("[data-key]")) {
          const text = input.value.trim();
          member[input.dataset.key] = text === "" && (input.dataset.key === "nik" || input.dataset.key === "tanggal_lahir") ? null : text;
        }
        return member;
      }),
    };
  } else {
    body.rumah_tangga_id = number(value("#usulan-rumah-tangga"));
    if (jenis === "keluar") body.alasan = value("#usulan-alasan");
  }
  const nomor = value("#usulan-ba-nomor");
  const tanggal = value("#usulan-ba-tanggal");
  if (nomor || tanggal) body.berita_acara = { nomor, tanggal };
  if (bukti.length > 0) body.bukti = bukti;
  const note = value("#usulan-catatan-baru");
  if (note) body.catatan = note;
  return body;
}
