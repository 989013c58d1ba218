// The operator's actions: each form queues one request (wait:false: the answer is the queued request, its end
// comes through the event stream). Built only for operators and admins; the API checks the role again.

import { api, lib, ApiError } from './api.js';

const $ = id => document.getElementById(id);

const FORMS = [
  { id: 'load', title: 'Load', role: 'operator', fields: [['slot', 'Slot', 'num'], ['drive', 'Drive', 'drive']],
    send: (f) => ['moves', { kind: 'load', slot: f.slot, drive: f.drive }] },
  { id: 'unload', title: 'Unload', role: 'operator', fields: [['drive', 'Drive', 'drive'], ['slot', 'To slot (blank: where it came from)', 'num?']],
    send: (f) => ['moves', { kind: 'unload', drive: f.drive, slot: f.slot ?? undefined }] },
  { id: 'transfer', title: 'Transfer', role: 'operator', fields: [['slot', 'From slot', 'num'], ['toSlot', 'To slot', 'num']],
    send: (f) => ['moves', { kind: 'transfer', slot: f.slot, toSlot: f.toSlot }] },
  { id: 'import', title: 'Import from mail slot', role: 'operator', fields: [['element', 'Mail slot', 'mail'], ['slot', 'To slot (blank: first free)', 'num?']],
    send: (f) => ['moves', { kind: 'import', element: f.element ?? undefined, slot: f.slot ?? undefined }] },
  { id: 'export', title: 'Export to mail slot', role: 'operator', fields: [['slot', 'Slot', 'num'], ['element', 'Mail slot', 'mail']],
    send: (f) => ['moves', { kind: 'export', slot: f.slot, element: f.element ?? undefined }] },
  { id: 'inventory', title: 'Inventory', role: 'operator', fields: [],
    send: () => ['inventory?wait=false', undefined] },
  { id: 'clean', title: 'Clean a drive', role: 'operator', fields: [['drive', 'Drive', 'drive'], ['unloadFirst', 'Unload it first', 'check']],
    send: (f) => [`drives/${f.drive}/clean?wait=false${f.unloadFirst ? '&unloadFirst=true' : ''}`, undefined] },
  { id: 'inject', title: 'Inject a cleaner', role: 'operator', fields: [['cleansLeft', 'Cleans left (blank: not counted)', 'num?'], ['via', 'Through', 'via']],
    send: (f) => ['cleaner/inject', { cleansLeft: f.cleansLeft ?? undefined, via: f.via }] },
  { id: 'eject', title: 'Eject the cleaner', role: 'operator', fields: [['via', 'Through', 'via']],
    send: (f) => ['cleaner/eject', { via: f.via }] },
  { id: 'reserve', title: 'Reserve the cleaner slot', role: 'admin', fields: [['slot', 'Slot', 'num']],
    send: (f) => ['cleaner/reserve', { slot: f.slot }] },
  { id: 'release', title: 'Release the cleaner slot', role: 'admin', fields: [],
    send: () => ['cleaner/release', {}] },
];

const RANK = { viewer: 0, operator: 1, admin: 2 };

/** Builds the action forms the role allows; null for a viewer (no actions at all). */
export function createActions({ role, library, onQueued }) {
  const box = $('actions');
  const forms = FORMS.filter(f => RANK[role] >= RANK[f.role]);
  if (forms.length === 0) { box.remove(); return null; }
  box.hidden = false;
  $('action-forms').innerHTML = forms.map(formHtml).join('');

  // PREVENT / ALLOW MEDIUM REMOVAL on the mail slots: two buttons in the mail-slot panel, no form to fill.
  const port = $('ieport-actions');
  port.innerHTML = [['lock', 'Lock mail slots'], ['unlock', 'Unlock mail slots']]
    .map(([a, t]) => `<button type="button" data-action="ieport-${a}" data-port="${a}">${t}</button>`).join('');
  port.hidden = false;
  port.addEventListener('click', async e => {
    const b = e.target.closest('button[data-port]');
    if (!b) return;
    say(`${b.textContent}: sending…`, false);
    try {
      onQueued(await api(`${lib(library())}/ieport/${b.dataset.port}?wait=false`, { method: 'POST' }));
      say(`${b.textContent}: queued`, false);
    } catch (err) {
      say(`${b.textContent}: ${err instanceof ApiError ? err.operatorText : err.message}`, true);
    }
  });

  for (const def of forms) {
    $(`f-${def.id}`).addEventListener('submit', async e => {
      e.preventDefault();
      const values = read(def);
      if (values === null) return;
      const [path, body] = def.send(values);
      const wait = body === undefined ? undefined : { ...body, wait: false };
      say(`${def.title}: sending…`, false);
      try {
        const queued = await api(`${lib(library())}/${path}`, { method: 'POST', body: wait });
        say(`${def.title}: queued`, false);
        onQueued(queued);
      } catch (err) {
        say(`${def.title}: ${err instanceof ApiError ? err.operatorText : err.message}`, true);
      }
    });
  }

  function read(def) {
    const out = {};
    for (const [name, label, kind] of def.fields) {
      const el = $(`f-${def.id}-${name}`);
      if (kind === 'check') { out[name] = el.checked; continue; }
      const v = el.value.trim();
      if (v === '') {
        if (kind.endsWith('?') || kind === 'mail' || kind === 'via') { out[name] = kind === 'via' ? 'auto' : null; continue; }
        say(`${def.title}: ${label.toLowerCase()} is missing`, true);
        el.focus();
        return null;
      }
      out[name] = kind === 'via' ? v : Number(v);
    }
    return out;
  }

  /** The library's drives and mail slots for the selects. */
  function setElements(drives, mail) {
    for (const sel of box.querySelectorAll('select[data-list="drive"]')) fill(sel, drives.map(d => [d.drive, `Drive ${d.drive}${d.full ? ` (${d.barcode || 'loaded'})` : ''}`]), false);
    for (const sel of box.querySelectorAll('select[data-list="mail"]')) fill(sel, mail.map(m => [m.address, `Mail slot ${m.slot ?? m.address}${m.full ? ` (${m.barcode || 'full'})` : ''}`]), true);
  }

  /** A click in the picture fills the forms: a slot the "from" fields (shift: the "to" fields), a drive or mail slot the selects. */
  function select(sel, shift) {
    const set = (id, v) => { const el = $(id); if (el) el.value = v; };
    if (sel.kind === 'slot') {
      if (shift) { set('f-transfer-toSlot', sel.slot); set('f-unload-slot', sel.slot); set('f-import-slot', sel.slot); }
      else { set('f-load-slot', sel.slot); set('f-transfer-slot', sel.slot); set('f-export-slot', sel.slot); set('f-reserve-slot', sel.slot); }
    } else if (sel.kind === 'drive') {
      for (const id of ['f-load-drive', 'f-unload-drive', 'f-clean-drive']) set(id, sel.drive);
    } else if (sel.kind === 'mail') {
      set('f-import-element', sel.address); set('f-export-element', sel.address);
    }
  }

  /** Queues one move from elsewhere (drag and drop), said like a form's. */
  async function queueMove(title, body) {
    say(`${title}: sending…`, false);
    try {
      onQueued(await api(`${lib(library())}/moves`, { method: 'POST', body: { ...body, wait: false } }));
      say(`${title}: queued`, false);
    } catch (err) {
      say(`${title}: ${err instanceof ApiError ? err.operatorText : err.message}`, true);
    }
  }

  return { setElements, select, queueMove };
}

function say(text, bad) {
  const s = $('action-status');
  s.textContent = text;
  s.classList.toggle('bad', bad);
}

function fill(sel, options, anyFirst) {
  const keep = sel.value;
  sel.innerHTML = (anyFirst ? '<option value="">any</option>' : '') + options.map(([v, t]) => `<option value="${v}">${t.replace(/</g, '&lt;')}</option>`).join('');
  if ([...sel.options].some(o => o.value === keep)) sel.value = keep;
}

function formHtml(def) {
  const field = ([name, label, kind]) => {
    const id = `f-${def.id}-${name}`;
    if (kind === 'check') return `<label class="check"><input type="checkbox" id="${id}"> ${label}</label>`;
    if (kind === 'drive' || kind === 'mail') return `<label for="${id}">${label}</label><select id="${id}" data-list="${kind}"></select>`;
    if (kind === 'via') return `<label for="${id}">${label}</label><select id="${id}"><option value="auto">auto</option><option value="ieport">mail slot</option><option value="door">door</option></select>`;
    return `<label for="${id}">${label}</label><input id="${id}" type="number" min="${name === 'cleansLeft' ? 0 : 1}" inputmode="numeric">`;
  };
  return `<form id="f-${def.id}" class="action" aria-label="${def.title}"><fieldset><legend>${def.title}</legend>`
    + def.fields.map(field).join('')
    + `<button type="submit" data-action="${def.id}">${def.title}</button></fieldset></form>`;
}
