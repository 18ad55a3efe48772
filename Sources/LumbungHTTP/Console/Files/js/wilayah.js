// The Wilayah page: counts from /v1/stats for the token's scope, drilled down provinsi →
// kabupaten → kecamatan → desa, with the PKH components' counts and an export of the selection.
// The server narrows every answer to the token's scope, so a desa operator starts (and stays)
// at their desa.

import { t } from "./labels.js";
import { el, readable, table } from "./dom.js";
import * as api from "./api.js";

/** Renders the scope's counts into `root`; a child's button opens that child's counts. */
export function wilayahPage(root) {
  const view = el("div", { id: "wilayah-view", "aria-live": "polite" });
  root.append(el("h1", { text: t("wilayahTitle") }), view);
  show(view, []);
}

/** Shows the counts of the last of `trail` (the wilayah visited, from the scope down; none: the scope). */
async function show(view, trail) {
  const code = trail.length > 0 ? trail[trail.length - 1].wilayah : null;
  let stats;
  try {
    stats = await api.get(code ? `v1/stats?wilayah=${encodeURIComponent(code)}` : "v1/stats");
  } catch (error) {
    const text = error instanceof api.APIError && error.status === 404 ? t("notFound") : `${t("failed")} (${error.message})`;
    view.replaceChildren(el("p", { class: "error", role: "alert", text }));
    return;
  }
  const here = trail.length > 0 ? trail : [{ wilayah: stats.wilayah, nama: stats.nama }];
  const crumbs = el("nav", { "aria-label": t("wilayahTrail"), class: "crumbs" },
    el("ol", {}, here.map((step, index) => el("li", {},
      index === here.length - 1
        ? el("span", { "aria-current": "location", text: step.nama })
        : el("button", { type: "button", class: "link", text: step.nama, onclick: () => show(view, here.slice(0, index + 1)) })))));
  const most = Math.max(1, ...stats.children.map((child) => child.households));
  const children = stats.children.length === 0 ? el("p", { class: "note", text: t("noChildren") })
    : table(t("wilayahChildren"), [t("wilayah"), t("kodeWilayah"), t("households"), t("members"), t("chart")],
      stats.children.map((child) => [
        el("button", { type: "button", class: "link", text: child.nama, onclick: () => show(view, [...here, { wilayah: child.wilayah, nama: child.nama }]) }),
        child.wilayah, String(child.households), String(child.members),
        el("meter", { min: "0", max: String(most), value: String(child.households), "aria-label": `${child.nama}: ${child.households}` }),
      ]));
  const counts = (title, byName) => table(title, [title, t("households"), t("members")],
    Object.entries(byName ?? {}).map(([name, count]) => [readable(name), String(count.households), String(count.members)]));
  view.replaceChildren(
    crumbs,
    el("section", { class: "panel", id: "wilayah-summary", "data-wilayah": stats.wilayah ?? "" },
      el("h2", { tabindex: "-1", text: `${stats.nama}${stats.wilayah ? ` (${stats.wilayah})` : ""}` }),
      el("p", { id: "wilayah-total", text: `${t("households")}: ${stats.total.households} · ${t("members")}: ${stats.total.members}` }),
      children),
    el("section", { class: "panel grid" },
      counts(t("status"), stats.status), counts(t("program"), stats.program), counts(t("desil"), stats.desil)),
    pkhPanel(code, counts),
    exportPanel(code, Object.keys(stats.status ?? {})));
  view.querySelector("h2").focus();
}

/** The counts by PKH component, asked for apart (`pkh=true` walks the region's members) so the page shows first. */
function pkhPanel(code, counts) {
  const panel = el("section", { class: "panel", id: "wilayah-pkh", "aria-busy": "true" }, el("h2", { text: t("pkhTitle") }), el("p", { class: "note", text: "…" }));
  const query = code ? `wilayah=${encodeURIComponent(code)}&pkh=true` : "pkh=true";
  api.get(`v1/stats?${query}`).then((stats) => {
    const { tanggal, ...components } = stats.pkh_komponen ?? {};
    panel.replaceChildren(el("h2", { text: t("pkhTitle") }), el("p", { class: "note", text: `${t("pkhDate")} ${tanggal ?? "—"}` }),
      counts(t("pkhComponent"), components));
    panel.querySelectorAll("tbody tr").forEach((row, index) => row.setAttribute("data-component", Object.keys(components)[index]));
  }, (error) => {
    panel.replaceChildren(el("h2", { text: t("pkhTitle") }), el("p", { class: "error", role: "alert", text: `${t("failed")} (${error.message})` }));
  }).finally(() => panel.removeAttribute("aria-busy"));
  return panel;
}

/** The selection's households as a CSV or XLSX file from /v1/export (the filters of /v1/households). */
function exportPanel(code, statuses) {
  const status = el("select", { id: "export-status", name: "status" },
    el("option", { value: "", text: t("allStatuses") }), statuses.map((name) => el("option", { value: name, text: readable(name) })));
  const message = el("span", { id: "export-message", class: "note", role: "status" });
  const download = (format) => el("button", {
    type: "button", id: `export-${format}`, text: t(`download_${format}`),
    onclick: async (event) => {
      const button = event.currentTarget;
      const query = new URLSearchParams();
      if (code) query.set("wilayah", code);
      if (status.value) query.set("status", status.value);
      query.set("format", format);
      button.disabled = true;
      message.textContent = t("preparing");
      try {
        message.textContent = `${t("downloaded")}: ${await api.saveAs(await api.send(`v1/export?${query}`, { accept: "*/*" }), `lumbung.${format}`)}`;
      } catch (error) {
        message.textContent = error instanceof api.APIError && error.status === 404 ? t("exportUnavailable") : `${t("failed")} (${error.message})`;
      } finally {
        button.disabled = false;
      }
    },
  });
  return el("section", { class: "panel", id: "wilayah-export" },
    el("h2", { text: t("exportTitle") }),
    el("div", { class: "field" }, el("label", { for: "export-status", text: t("status") }), status),
    el("div", { class: "row downloads" }, download("csv"), download("xlsx"), message));
}
