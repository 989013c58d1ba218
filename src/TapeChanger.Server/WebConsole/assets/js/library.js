// The library as a picture: drives, mail slots, picker, cleaner, storage grid. Each part is built as one HTML string
// and set once (a 2,000-slot library is one innerHTML, not 2,000 DOM calls); clicks are handled by delegation.

import { esc, time } from './text.js';

const $ = id => document.getElementById(id);

export function createLibraryView({ onSelect }) {
  let selected = null; // { kind, key }
  let filter = '';

  document.getElementById('library-view').addEventListener('click', e => {
    const el = e.target.closest('[data-kind]');
    if (!el) return;
    const d = el.dataset;
    selected = { kind: d.kind, key: d.key };
    markSelected();
    onSelect({
      kind: d.kind,
      slot: d.slot ? Number(d.slot) : null,
      drive: d.drive ? Number(d.drive) : null,
      address: d.address ? Number(d.address) : null,
      barcode: d.barcode || null,
    }, e.shiftKey);
  });
  $('filter').addEventListener('input', e => { filter = e.target.value.trim().toUpperCase(); applyFilter(); });

  function markSelected() {
    for (const el of document.querySelectorAll('#library-view [aria-pressed="true"]')) el.setAttribute('aria-pressed', 'false');
    if (!selected) return;
    const el = document.querySelector(`#library-view [data-kind="${selected.kind}"][data-key="${CSS.escape(selected.key)}"]`);
    if (el) el.setAttribute('aria-pressed', 'true');
  }

  function applyFilter() {
    let shown = 0;
    let total = 0;
    for (const el of document.querySelectorAll('#library-view [data-barcode]')) {
      const match = !filter || el.dataset.barcode.toUpperCase().includes(filter);
      el.classList.toggle('nomatch', !match);
      total++;
      if (match && el.dataset.barcode) shown++;
    }
    $('filter-count').textContent = filter ? `${shown} cartridge${shown === 1 ? '' : 's'} match "${filter}"` : '';
    return total;
  }

  /** Draws the whole library from the status view, the cleaner view and the open requests. */
  function render(view, cleaner, openRequests) {
    const started = performance.now();
    const doc = view.status;
    const summary = $('lib-summary');
    if (!doc) {
      summary.textContent = `${view.library}: not read yet${view.problem ? ` (${view.problem})` : ''}`;
      for (const id of ['drives', 'mailslots', 'picker', 'cleaner-box', 'storage']) $(id).replaceChildren();
      return;
    }
    const els = doc.elements;
    const storage = els.filter(e => e.type === 'storage');
    const drives = els.filter(e => e.type === 'dataTransfer');
    const mail = els.filter(e => e.type === 'importExport');
    const pickers = els.filter(e => e.type === 'transport');
    const bySlot = new Map(storage.map(e => [e.address, e.slot]));
    const full = storage.filter(e => e.full).length;
    // The kept status does not carry the reservation and the remembered requests for cleaning: the cleaner view does.
    const reservedSlot = cleaner?.reserved?.slot ?? storage.find(e => e.reservedCleanerSlot)?.slot;
    const pending = new Map((cleaner?.pending || []).map(p => [p.drive, p]));
    const cleaning = new Set(openRequests.filter(r => r.kind === 'Clean' && (r.state === 'InProcess' || r.state === 'Waiting')).map(r => r.arguments.drive));

    summary.textContent = `${doc.library.vendor} ${doc.library.product}${doc.library.serial ? ` (serial ${doc.library.serial})` : ''}`
      + ` · ${view.online ? 'online' : `OFFLINE${view.problem ? `: ${view.problem}` : ''}`}`
      + ` · ${full} of ${storage.length} slots full · ${drives.filter(d => d.full).length} of ${drives.length} drives loaded`
      + ` · ${view.queueDepth} queued · read ${time(view.readAt)}`;

    $('drives').innerHTML = drives.map(d => driveCard(d, view, cleaning, bySlot, pending)).join('');
    $('mailslots').innerHTML = mail.length ? mail.map(mailSlot).join('') : '<p>No mail slots.</p>';
    $('picker').innerHTML = pickers.map(p => `<div class="picker${p.full ? ' full' : ''}" data-barcode="${esc(p.barcode || '')}">`
      + `Picker (element ${p.address}): ${p.full ? `holds <b>${esc(p.barcode || 'a cartridge without barcode')}</b>` : 'empty'}`
      + `${exception(p)}</div>`).join('');
    $('cleaner-box').innerHTML = cleanerBox(storage, els, cleaner, reservedSlot);
    $('storage').innerHTML = magazines(view, storage, reservedSlot);
    $('storage').setAttribute('aria-label', `Storage slots 1 to ${storage.length}`);
    const source = view.magazineSource;
    $('magazine-source').textContent = !source || source === 'none'
      ? 'Magazines: not known for this library (its hardware profile states none), so the slots are drawn as one group.'
      : `${(view.magazines || []).length} magazine${(view.magazines || []).length === 1 ? '' : 's'}, as the ${source.startsWith('profile ') ? `hardware ${source}` : source} states.`;
    markSelected();
    applyFilter();
    document.body.dataset.renderMs = Math.round(performance.now() - started);
  }

  return { render };
}

// The storage grid by magazine. The service sends the grouping (its device configuration or hardware profile: READ
// ELEMENT STATUS has no magazines); without one, or from an older service, every slot is in one group.
function magazines(view, storage, reservedSlot) {
  const bySlot = new Map(storage.map(e => [e.slot, e]));
  const slots = (first, last) => {
    let html = '';
    for (let n = first; n <= last; n++) { const e = bySlot.get(n); if (e) html += slotButton(e, n === reservedSlot); }
    return html;
  };
  const list = view.magazines || [];
  if (list.length <= 1 && (!list.length || !view.magazineSource || view.magazineSource === 'none')) {
    // In chunks of 120 slots (a multiple of most column counts), each skipped by the browser while off screen.
    let html = '';
    for (let i = 0; i < storage.length; i += 120) html += `<div class="grid">${storage.slice(i, i + 120).map(e => slotButton(e, e.slot === reservedSlot)).join('')}</div>`;
    return `<div class="magazine all" data-magazine="all">${html}</div>`;
  }
  return list.map(m => {
    const title = m.name ? `Magazine ${esc(m.name)}` : `Magazine ${m.number}`;
    const full = storage.filter(e => e.slot >= m.firstSlot && e.slot <= m.lastSlot && e.full).length;
    return `<div class="magazine" role="group" data-magazine="${m.number}" aria-labelledby="mag-${m.number}">`
      + `<h4 id="mag-${m.number}">${title} <small>slots ${m.firstSlot}–${m.lastSlot} · ${full} of ${m.slots} full</small></h4>`
      + `<div class="grid">${slots(m.firstSlot, m.lastSlot)}</div></div>`;
  }).join('');
}

function exception(e) {
  if (!e.except) return '';
  const hex = n => n.toString(16).toUpperCase().padStart(2, '0');
  // The meaning comes with the status (the server's ASC/ASCQ table); older servers send the codes only.
  const meaning = e.exceptText ? `: ${esc(e.exceptText)}` : '';
  return ` <span class="except" title="The library reports an abnormal state for this element">exception ASC/ASCQ ${hex(e.asc)}/${hex(e.ascq)}${meaning}</span>`;
}

function slotButton(e, reserved) {
  const cls = ['slot', e.full ? 'full' : 'empty'];
  if (e.cleaner) cls.push('cleaner');
  if (reserved) cls.push('reserved');
  if (e.except) cls.push('exc');
  // The accessible name is the visible text plus hidden words (axe: label-content-name-mismatch).
  const more = `${e.full ? (e.barcode ? '' : 'cartridge without barcode') : 'empty'}${e.cleaner ? ', cleaner' : ''}${reserved ? ', reserved for the cleaner' : ''}${e.except ? `, exception${e.exceptText ? `: ${e.exceptText}` : ''}` : ''}`;
  return `<button type="button" class="${cls.join(' ')}" data-kind="slot" data-key="${e.slot}" data-slot="${e.slot}" data-address="${e.address}"`
    + ` data-barcode="${esc(e.barcode || '')}" aria-pressed="false" title="slot ${e.slot} (element ${e.address})"`
    + `${e.full && document.body.dataset.role !== 'viewer' ? ' draggable="true"' : ''}>`
    + `<span class="n"><span class="sr">slot </span>${e.slot}</span><span class="b">${esc(e.full ? (e.barcode || '?') : '')}</span>`
    + (more ? `<span class="sr"> ${esc(more)}</span>` : '') + '</button>';
}

function driveCard(d, view, cleaning, bySlot, pending) {
  const need = d.needsCleaning || pending.get(d.drive) || (view.drivesNeedingCleaning.includes(d.drive) ? { reason: 'the drive asked for cleaning' } : null);
  const src = d.sourceSlot ?? (d.source != null ? bySlot.get(d.source) : null);
  return `<div class="drive${d.full ? ' full' : ''}${need ? ' needs' : ''}" data-barcode="${esc(d.barcode || '')}">`
    + `<button type="button" data-kind="drive" data-key="${d.drive}" data-drive="${d.drive}" data-address="${d.address}"`
    + ` aria-pressed="false">Drive ${d.drive}</button>`
    + '<dl>'
    + `<dt>Cartridge</dt><dd>${d.full ? `<b>${esc(d.barcode || 'no barcode')}</b>` : 'empty'}</dd>`
    + (d.full ? `<dt>From slot</dt><dd>${src ?? 'unknown'}</dd>` : '')
    + `<dt>Serial</dt><dd>${esc(d.serial || '—')}</dd>`
    + (d.model ? `<dt>Model</dt><dd>${esc(d.model)}</dd>` : '')
    + `<dt>Cleaning</dt><dd>${cleaning.has(d.drive) ? '<span class="busy">cleaning in progress</span>'
      : need ? `<span class="warn">needs cleaning</span> <small>${esc(need.reason || '')}${need.since ? ` since ${time(need.since)}` : ''}</small>` : 'not needed'}</dd>`
    + '</dl>' + exception(d) + '</div>';
}

// SMC-3, import/export element descriptor: ACCESS one = the picker can reach the element (zero: the port is open to
// the operator); IMPEXP one = the cartridge was placed by the operator, zero = by the picker.
function mailSlot(e) {
  const open = !e.access;
  const by = e.full ? (e.impExp ? 'placed by the operator' : 'placed by the robot') : '';
  return `<button type="button" class="mail${e.full ? ' full' : ''}${open ? ' open' : ''}" data-kind="mail" data-key="${e.address}" data-address="${e.address}"`
    + ` data-slot="${e.slot ?? ''}" data-barcode="${esc(e.barcode || '')}" aria-pressed="false" title="mail slot ${e.slot ?? ''} (element ${e.address})">`
    + `<span class="n">Mail ${e.slot ?? e.address}</span><span class="b">${esc(e.full ? (e.barcode || '?') : 'empty')}</span>`
    + `<small>${open ? 'port open' : 'closed'}${by ? ` · ${by}` : ''}</small>${exception(e)}</button>`;
}

function cleanerBox(storage, els, cleaner, reservedSlot) {
  const parts = [];
  parts.push(reservedSlot ? `Reserved cleaner slot: <b>${reservedSlot}</b>` : 'No cleaner slot reserved.');
  if (cleaner && cleaner.cleaner) {
    const c = cleaner.cleaner;
    parts.push(`Cleaner <b>${esc(c.barcode || 'without barcode')}</b>: ${c.unlimited ? 'cleanings not counted' : `<b class="cleans">${c.cleansLeft}</b> cleans left`}`
      + `, used ${c.timesUsed} time${c.timesUsed === 1 ? '' : 's'}${c.spentReason ? ` · <span class="warn">spent: ${esc(c.spentReason)}</span>` : ''}`);
  } else if (cleaner) {
    parts.push('No cleaner injected.');
  }
  const others = els.filter(e => e.cleaner && e.full && !(e.type === 'storage' && e.slot === reservedSlot));
  if (others.length) {
    parts.push('Other cleaning cartridges: ' + others.map(e => `${esc(e.barcode || '?')} (${e.type === 'storage' ? `slot ${e.slot}` : `${e.type} ${e.drive ?? e.address}`})`).join(', '));
  }
  return parts.map(p => `<p>${p}</p>`).join('');
}
