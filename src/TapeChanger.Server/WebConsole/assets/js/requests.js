// The request queue, its history and the operator requests, kept by id and updated one item at a time (from the
// answers to the console's own actions and from the event stream, whoever submitted).

import { api, ApiError } from './api.js';
import { esc, time, describeRequest, resultText, senseOf, withoutSense, STATE_WORDS } from './text.js';

const $ = id => document.getElementById(id);
const OPEN = new Set(['Queued', 'InProcess', 'Waiting']);
const HISTORY_SHOWN = 100;

export function createRequests({ canAct, onChange }) {
  const requests = new Map();
  const opreqs = new Map();

  $('queue-list').addEventListener('click', onButton);
  $('history-list').addEventListener('click', onButton);
  $('opreq-list').addEventListener('click', onButton);

  async function onButton(e) {
    const b = e.target.closest('button[data-action]');
    if (!b) return;
    const id = b.dataset.id;
    const act = b.dataset.action;
    b.disabled = true;
    try {
      if (act === 'cancel') upsert(await api(`requests/${id}/cancel`, { method: 'POST' }));
      else if (act === 'satisfy') upsertOperator(await api(`operator-requests/${id}/satisfy`, { method: 'POST' }));
      else if (act === 'refuse') {
        const reason = $(`reason-${id}`)?.value.trim();
        upsertOperator(await api(`operator-requests/${id}/refuse`, { method: 'POST', body: reason ? { reason } : {} }));
      }
    } catch (err) {
      note(err instanceof ApiError ? err.operatorText : err.message);
      b.disabled = false;
    }
  }

  function note(text) { $('request-status').textContent = text; }

  /** A request record (new or changed): placed in the queue while open, in the history once ended. */
  function upsert(r) {
    if (!r || !r.id) return;
    const old = requests.get(r.id);
    if (old && old.sequence === r.sequence && new Date(old.updated) > new Date(r.updated)) return; // a late, older copy
    requests.set(r.id, r);
    const list = OPEN.has(r.state) ? $('queue-list') : $('history-list');
    let li = document.getElementById(`req-${r.id}`);
    if (!li) { li = document.createElement('li'); li.id = `req-${r.id}`; }
    li.className = `req state-${r.state.toLowerCase()}`;
    li.dataset.sequence = r.sequence;
    li.innerHTML = requestHtml(r, canAct);
    if (li.parentElement !== list) place(list, li, r.sequence);
    while (list === $('history-list') && list.children.length > HISTORY_SHOWN) list.lastElementChild.remove();
    empty();
    onChange();
  }

  function upsertOperator(o) {
    if (!o || !o.id) return;
    opreqs.set(o.id, o);
    const list = $('opreq-list');
    let li = document.getElementById(`op-${o.id}`);
    const isOpen = ['Submitted', 'Active', 'InProgress'].includes(o.state);
    if (!li) { li = document.createElement('li'); li.id = `op-${o.id}`; li.dataset.sequence = Date.parse(o.submitted); place(list, li, Number(li.dataset.sequence)); }
    li.className = `opreq ${isOpen ? 'open' : 'closed'}`;
    li.innerHTML = operatorHtml(o, isOpen && canAct);
    empty();
  }

  function empty() {
    $('queue-empty').hidden = $('queue-list').children.length > 0;
    $('opreq-empty').hidden = [...opreqs.values()].some(o => ['Submitted', 'Active', 'InProgress'].includes(o.state));
  }

  /** Everything again (at login, on a library change, after the event stream reconnects). */
  async function reload(library) {
    const q = `library=${encodeURIComponent(library)}`;
    const [reqs, ops] = await Promise.all([api(`requests?${q}&limit=200`), api(`operator-requests?${q}`)]);
    requests.clear(); opreqs.clear();
    for (const id of ['queue-list', 'history-list', 'opreq-list']) $(id).replaceChildren();
    for (const r of reqs.requests.slice().sort((a, b) => a.sequence - b.sequence)) upsert(r);
    for (const o of ops.operatorRequests) upsertOperator(o);
    empty();
    onChange();
  }

  return {
    upsert, upsertOperator, reload,
    open: () => [...requests.values()].filter(r => OPEN.has(r.state)),
    all: () => [...requests.values()],
  };
}

/** Newest first: before the first item with a lower sequence. */
function place(list, li, seq) {
  for (const other of list.children) {
    if (Number(other.dataset.sequence) < seq) { list.insertBefore(li, other); return; }
  }
  list.appendChild(li);
}

function requestHtml(r, canAct) {
  const ms = r.started && r.completed ? Date.parse(r.completed) - Date.parse(r.started) : null;
  let why = '';
  if (r.state === 'Failed' || r.state === 'Cancelled') {
    const sense = senseOf(r.message);
    why = `<div class="why"><b>${esc(resultText(r.result))}</b>${r.message ? ` — ${esc(withoutSense(r.message))}` : ''}`
      + (sense ? ` <span class="sense" title="sense key / ASC / ASCQ">sense ${sense.triplet} ${esc(sense.name.toLowerCase())}: ${esc(sense.meaning)}</span>` : '')
      + '</div>';
  } else if (r.message) {
    why = `<div class="msg">${esc(r.message)}</div>`;
  }
  const cancel = canAct && (r.state === 'Queued' || r.state === 'Waiting')
    ? ` <button type="button" data-action="cancel" data-id="${r.id}" aria-label="Cancel: ${esc(describeRequest(r))}">Cancel</button>` : '';
  return `<span class="state">${STATE_WORDS[r.state] || r.state}</span> <span class="what">${esc(describeRequest(r))}</span>`
    + ` <span class="who">${esc(r.submitter?.name || '')}</span> <time datetime="${r.submitted}">${time(r.submitted)}</time>`
    + (ms !== null ? ` <span class="dur">${ms} ms</span>` : '') + cancel + why;
}

function operatorHtml(o, act) {
  const state = { Submitted: 'waiting for you', Active: 'waiting for you', InProgress: 'in progress', Refused: 'refused', Complete: 'done' }[o.state] || o.state;
  const buttons = act
    ? ` <button type="button" data-action="satisfy" data-id="${o.id}">Satisfy</button>`
      + ` <label for="reason-${o.id}" class="sr">Reason for refusing</label><input id="reason-${o.id}" class="reason" placeholder="reason (optional)">`
      + ` <button type="button" data-action="refuse" data-id="${o.id}">Refuse</button>`
    : '';
  return `<span class="state">${state}</span> <span class="kind">${esc(o.kind)}</span> <span class="what">${esc(o.message)}</span>`
    + ` <time datetime="${o.submitted}">${time(o.submitted)}</time>`
    + (o.outcome ? ` <span class="msg">${esc(o.outcome)}${o.completedBy ? ` (${esc(o.completedBy.name)})` : ''}</span>` : '') + buttons;
}
