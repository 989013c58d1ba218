// Drag and drop for operators: a full storage slot dropped on a drive loads it, on an empty slot transfers it, on an
// empty mail slot exports it. The click-to-fill forms stay the keyboard path; this is a shortcut for the mouse.

const TYPE = 'application/x-tapechanger-slot';

/** The drop target under the pointer: a drive (its whole card), a storage slot or a mail slot. */
function targetOf(el) {
  if (!el || !el.closest) return null;
  return el.closest('[data-kind="slot"], [data-kind="mail"], [data-kind="drive"]')
    || el.closest('.drive')?.querySelector('[data-kind="drive"]') || null;
}

/** The move a drop asks for, or null where nothing may be dropped. */
function moveOf(from, t) {
  const empty = !t.classList.contains('full');
  switch (t.dataset.kind) {
    case 'drive': return [`Load slot ${from} → drive ${t.dataset.drive}`, { kind: 'load', slot: from, drive: Number(t.dataset.drive) }];
    case 'slot': return empty && Number(t.dataset.slot) !== from
      ? [`Transfer slot ${from} → slot ${t.dataset.slot}`, { kind: 'transfer', slot: from, toSlot: Number(t.dataset.slot) }] : null;
    case 'mail': return empty
      ? [`Export slot ${from} → mail slot ${t.dataset.slot || t.dataset.address}`, { kind: 'export', slot: from, element: Number(t.dataset.address) }] : null;
    default: return null;
  }
}

export function enableDrag(queueMove) {
  let from = null;         // dataTransfer data cannot be read during dragover: the source is kept here too
  document.addEventListener('dragstart', e => {
    const b = e.target.closest?.('[data-kind="slot"].full');
    if (!b) return;
    from = Number(b.dataset.slot);
    e.dataTransfer.setData(TYPE, b.dataset.slot);
    e.dataTransfer.effectAllowed = 'move';
  });
  document.addEventListener('dragend', () => { from = null; document.querySelectorAll('.drop-here').forEach(x => x.classList.remove('drop-here')); });
  document.addEventListener('dragover', e => {
    const t = targetOf(e.target);
    if (from === null || !t || !moveOf(from, t)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    document.querySelectorAll('.drop-here').forEach(x => { if (x !== t) x.classList.remove('drop-here'); });
    t.classList.add('drop-here');
  });
  document.addEventListener('drop', e => {
    const t = targetOf(e.target);
    const slot = Number(e.dataTransfer.getData(TYPE)) || from;
    const move = slot && t ? moveOf(slot, t) : null;
    if (!move) return;
    e.preventDefault();
    t.classList.remove('drop-here');
    queueMove(...move);
  });
}
