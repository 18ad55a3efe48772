// The Audit page: the change feed (/v1/changes, cut by the server to the token's scope),
// filtered by action, actor, date range and household, read forward a page at a time with
// since/next_since. The household filter is the API's (`household=ID`) where the server has
// it; an older server refuses the parameter (400) and the page filters the entries itself.

import { t } from "./labels.js";
import { el, readable, table } from "./dom.js";
import * as api from "./api.js";

/** The feed's actions, as the API names them (the labels say them in words). */
const actions = ["insert", "update", "delete", "move_member", "event", "request"];
/** The entries one "more" shows, and the feed pages it reads at most to find them. */
const pageSize = 50;
const readsPerPage = 20;
/** Whether the server filters by household; null until the first such request says. */
let serverFiltersHousehold = null;

/** Renders the filter form into `root`; the entries appear below it. */
export function auditPage(root) {
  const field = (id, label, input) => el("div", { class: "field" }, el("label", { for: id, text: label }), input);
  const form = el("form", { class: "panel", id: "audit-form" },
    el("h1", { text: t("auditTitle") }),
    el("div", { class: "row" },
      field("audit-action", t("aksi"), el("select", { id: "audit-action", name: "action" },
        el("option", { value: "", text: t("allActions") }),
        actions.map((action) => el("option", { value: action, text: t(`action_${action}`) })))),
      field("audit-actor", t("aktor"), el("input", { id: "audit-actor", name: "actor", autocomplete: "off" })),
      field("audit-household", t("householdID"), el("input", { id: "audit-household", name: "household", inputmode: "numeric", pattern: "[0-9]+", autocomplete: "off" })),
      field("audit-from", t("dateFrom"), el("input", { id: "audit-from", name: "from", type: "date" })),
      field("audit-to", t("dateTo"), el("input", { id: "audit-to", name: "to", type: "date" })),
      field("audit-since", t("afterSequence"), el("input", { id: "audit-since", name: "since", inputmode: "numeric", pattern: "[0-9]+", autocomplete: "off", placeholder: "0" }))),
    el("button", { type: "submit", id: "audit-apply", text: t("applyFilter") }));
  const result = el("div", { id: "audit-result", "aria-live": "polite" });
  root.append(form, result);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show(result, filterOf(form), Number(form.elements.since.value.trim() || "0"));
  });
  form.elements.action.focus();
  show(result, filterOf(form), 0);
}

/** The form's filter: what each entry must match (empty fields match everything). */
function filterOf(form) {
  const value = (name) => form.elements[name].value.trim();
  // Dates are the user's days, from midnight to midnight in the browser's time zone.
  const from = value("from") ? new Date(`${value("from")}T00:00:00`) : null;
  const to = value("to") ? new Date(`${value("to")}T00:00:00`) : null;
  if (to) to.setDate(to.getDate() + 1);
  return { action: value("action"), actor: value("actor").toLowerCase(), household: value("household"), from, to };
}

function matches(entry, filter) {
  if (filter.action && entry.action !== filter.action) return false;
  if (filter.actor && !String(entry.actor).toLowerCase().includes(filter.actor)) return false;
  if (filter.household && String(entry.household_id) !== filter.household) return false;
  const time = new Date(entry.time);
  if (filter.from && time < filter.from) return false;
  if (filter.to && time >= filter.to) return false;
  return true;
}

/** Reads the feed after `since` until a page's worth of entries match, and shows them. */
async function show(result, filter, since) {
  result.replaceChildren(el("p", { class: "note", text: "…" }));
  const found = [];
  let next = since;
  let end = false;
  try {
    for (let read = 0; read < readsPerPage && found.length < pageSize && !end; read += 1) {
      const page = await feedPage(next, filter);
      found.push(...page.changes.filter((entry) => matches(entry, filter)));
      end = page.next_since === next;
      next = page.next_since;
    }
  } catch (error) {
    result.replaceChildren(el("p", { class: "error", role: "alert", text: `${t("failed")} (${error.message})` }));
    return;
  }
  const shown = found.slice(0, pageSize);
  // More entries than a page matched: continue right after the last one shown.
  if (found.length > pageSize) { next = shown[shown.length - 1].sequence; end = false; }
  result.replaceChildren(
    el("p", { id: "audit-range", class: "note", text: `${t("feedFrom")} ${since} · ${shown.length} ${t("entries")}` }),
    shown.length === 0 ? el("p", { id: "audit-empty", class: "note", text: t("noEntries") })
      : table(t("auditTitle"), [t("sequence"), t("waktu"), t("aktor"), t("aksi"), t("householdID"), t("kodeWilayah"), t("catatan")],
        shown.map((entry) => [String(entry.sequence), entry.time, entry.actor, actions.includes(entry.action) ? t(`action_${entry.action}`) : readable(entry.action),
          entry.household_id == null ? "—" : String(entry.household_id), entry.kode_wilayah.join(", ") || "—", entry.note ?? "—"])),
    end ? el("p", { class: "note", text: t("feedEnd") })
      : el("button", { type: "button", id: "audit-more", text: t("more"), onclick: () => show(result, filter, next) }));
  result.querySelectorAll("tbody tr").forEach((row, index) => row.setAttribute("data-sequence", String(shown[index].sequence)));
}

/** One page of the feed after `since`; with a household, the server's filter when it has one. */
async function feedPage(since, filter) {
  const path = `v1/changes?since=${since}&limit=1000`;
  if (filter.household && serverFiltersHousehold !== false) {
    try {
      const page = await (await api.send(`${path}&household=${encodeURIComponent(filter.household)}`)).json();
      serverFiltersHousehold = true;
      return page;
    } catch (error) {
      // A server without the filter refuses the unknown parameter: 400 naming `household` (the
      // form lets only digits through, which a server with the filter takes).
      if (!(error instanceof api.APIError) || error.status !== 400 || error.field !== "household" || serverFiltersHousehold === true) throw error;
      serverFiltersHousehold = false;
    }
  }
  return api.get(path);
}
