// The Pemadanan page: a NIK list (text, one NIK a line; CSV or XLSX with the NIK column named)
// sent to POST /v1/match, its summary and results shown, and the same list matched again as a
// CSV or XLSX file to download. The server matches within the token's scope: a NIK of another
// desa is "not found" for a desa operator.

import { t } from "./labels.js";
import { el, readable, table } from "./dom.js";
import * as api from "./api.js";

/** The media type POST /v1/match takes for each kind of file, by its extension. */
const mediaTypes = {
  txt: "text/plain",
  csv: "text/csv",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};
/** The most result rows drawn in the page; the downloads hold them all. */
const rowsShown = 1000;

/** Renders the upload form into `root`; the summary, results and downloads appear below it. */
export function pemadananPage(root) {
  const file = el("input", { id: "match-file", name: "file", type: "file", required: true, accept: ".txt,.csv,.xlsx,text/plain,text/csv", "aria-describedby": "match-file-help" });
  const column = el("input", { id: "match-column", name: "column", autocomplete: "off", value: "nik", "aria-describedby": "match-column-help" });
  const result = el("div", { id: "match-result", "aria-live": "polite" });
  const form = el("form", { class: "panel", id: "match-form" },
    el("h1", { text: t("pemadananTitle") }),
    el("div", { class: "field" },
      el("label", { for: "match-file", text: t("nikList") }), file,
      el("span", { id: "match-file-help", class: "note", text: t("nikListHelp") })),
    el("div", { class: "field" },
      el("label", { for: "match-column", text: t("nikColumn") }), column,
      el("span", { id: "match-column-help", class: "note", text: t("nikColumnHelp") })),
    el("button", { type: "submit", id: "match-submit", text: t("match") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) return;
    result.replaceChildren(el("p", { class: "note", text: t("matching") }));
    result.replaceChildren(await matchList(chosen, column.value.trim()));
    result.querySelector("h2")?.focus();
  });
  root.append(form, result);
  file.focus();
}

/** The request for `file`: its media type by extension (anything else is a text list) and the query. */
function request(file, column, format) {
  const extension = file.name.split(".").pop().toLowerCase();
  const type = mediaTypes[extension] ?? mediaTypes.txt;
  const query = new URLSearchParams();
  if (type !== mediaTypes.txt && column) query.set("column", column);
  if (format) query.set("format", format);
  const text = query.toString();
  return { path: `v1/match${text ? `?${text}` : ""}`, type };
}

/** Matches `file` and draws the summary, the results and the two download buttons. */
async function matchList(file, column) {
  const { path, type } = request(file, column, null);
  let answer;
  try {
    answer = await (await api.send(path, { method: "POST", body: file, type })).json();
  } catch (error) {
    return failure(error);
  }
  const { summary, results } = answer;
  const download = (format) => el("button", {
    type: "button", id: `match-download-${format}`, text: t(`download_${format}`),
    onclick: async (event) => {
      const button = event.currentTarget;
      const status = button.parentElement.querySelector(".download-status");
      button.disabled = true;
      try {
        const call = request(file, column, format);
        const name = await api.saveAs(await api.send(call.path, { method: "POST", body: file, type: call.type, accept: "*/*" }), `pemadanan.${format}`);
        status.textContent = `${t("downloaded")}: ${name}`;
      } catch (error) {
        status.textContent = `${t("failed")} (${error.message})`;
      } finally {
        button.disabled = false;
      }
    },
  });
  return el("section", { class: "panel", id: "match-results" },
    el("h2", { tabindex: "-1", text: `${t("matchResults")}: ${file.name}` }),
    el("p", { id: "match-summary", "data-found": String(summary.found), "data-not-found": String(summary.not_found), "data-invalid": String(summary.invalid),
      text: `${t("found")} ${summary.found} · ${t("notFoundCount")} ${summary.not_found} · ${t("invalid")} ${summary.invalid}` }),
    el("div", { class: "row downloads" }, download("csv"), download("xlsx"), el("span", { class: "note download-status", role: "status" })),
    results.length > rowsShown ? el("p", { class: "note", text: `${t("firstRows")} ${rowsShown} / ${results.length}` }) : null,
    table(t("matchResults"), [t("line"), t("nik"), t("hasil"), t("alasan"), t("id"), t("kk"), t("kodeWilayah"), t("status"), t("desil"), t("program")],
      results.slice(0, rowsShown).map((row) => [String(row.line), row.nik ?? "—", el("span", { class: `hasil ${row.hasil}`, text: t(`hasil_${row.hasil}`) }),
        row.alasan ?? "—", row.id == null ? "—" : String(row.id), row.nomor_kk ?? "—", row.kode_wilayah ?? "—", readable(row.status),
        row.desil == null ? "—" : String(row.desil), Array.isArray(row.program) ? row.program.join(", ") || "—" : row.program ?? "—"])));
}

function failure(error) {
  // 400 and 413 name the line, column or limit the server refused; 404 is a server without the route.
  const text = error instanceof api.APIError && (error.status === 400 || error.status === 413 || error.status === 415)
    ? `${t("matchRefused")}: ${error.detail ?? error.code ?? error.status}`
    : error instanceof api.APIError && error.status === 404 ? t("matchUnavailable")
      : `${t("failed")} (${error.message})`;
  return el("p", { class: "error", role: "alert", id: "match-error", text });
}
